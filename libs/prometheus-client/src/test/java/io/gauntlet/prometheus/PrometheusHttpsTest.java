package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.gauntlet.prometheus.testing.PrometheusWithData;
import io.gauntlet.prometheus.testing.TestPki;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tls.TestCertificates;
import io.gauntlet.tsdb.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real Prometheus 2.42 behind its own {@code --web.config.file}: TLS with a CA made by the test,
 * basic auth, and (a second server) required client certificates.
 */
class PrometheusHttpsTest {
    private static final String USER = "gauntlet";
    private static final String PASSWORD = "c0rrect-h0rse-battery";
    private static final List<LabelMatcher> EVERYTHING = List.of(LabelMatcher.regex("__name__", ".+"));

    @TempDir
    static Path directory;
    private static TestPki certificates;
    private static PrometheusWithData data;
    private static PrometheusProcess mutual;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestPki.create(directory.resolve("pki"), "prometheus");
        data = PrometheusWithData.start(directory.resolve("tls"), PrometheusProcess.secured(certificates, USER, PASSWORD, false));
        mutual = PrometheusProcess.start(directory.resolve("mtls"), Map.of("cluster", "mtls"), List.of(), "2h", "2h",
                PrometheusProcess.secured(certificates, USER, PASSWORD, true), List.of());
        Files.writeString(directory.resolve("password"), PASSWORD + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (mutual != null) {
            mutual.close();
        }
        if (data != null) {
            data.close();
        }
    }

    @Test
    void everyApiAnswersOverTlsWithBasicAuth() throws Exception {
        HttpClientConfig config = HttpClientConfig.parse("""
                basic_auth:
                  username: %s
                  password_file: %s
                tls_config:
                  ca_file: %s
                """.formatted(USER, directory.resolve("password"), certificates.caFile()), "test");
        try (PrometheusClient client = client(data.prometheus(), config)) {
            assertThat(client.externalLabels()).isEqualTo(Labels.of("cluster", "eu-1", "prometheus_replica", "prom-0"));
            assertThat(client.flags()).containsEntry("storage.tsdb.min-block-duration", "2h");
            assertThat(client.lowestTimestamp()).isLessThanOrEqualTo(PrometheusWithData.DATA_START + 60_000);
            assertThat(client.labelNames(PrometheusWithData.DATA_START, PrometheusWithData.DATA_END, List.of())).contains("__name__", "instance");
            assertThat(client.series(PrometheusWithData.DATA_START, PrometheusWithData.DATA_END, EVERYTHING, Set.of()))
                    .hasSize(data.generated().series());
            // the self-scrape goes through the same door, so metadata exists only if TLS and basic auth work for it too
            await().atMost(Duration.ofSeconds(30)).until(() -> client.metricMetadata("prometheus_build_info", -1).containsKey("prometheus_build_info"));
            List<Long> streamed = readAll(client, PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS);
            assertThat(streamed.getFirst()).isEqualTo(data.generated().series());
            assertThat(readAll(client, PrometheusClient.ReadMode.SAMPLES)).isEqualTo(streamed);
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorWithoutTheSecret() throws Exception {
        HttpClientConfig config = HttpClientConfig.parse("basic_auth:\n  username: %s\n  password: wr0ng-pa55\ntls_config:\n  ca_file: %s\n"
                .formatted(USER, certificates.caFile()), "test");
        try (PrometheusClient client = client(data.prometheus(), config)) {
            assertThatThrownBy(client::externalLabels).isInstanceOf(StorageException.class)
                    .hasMessageContaining("/api/v1/status/config answered HTTP 401").hasMessageContaining("check basic_auth")
                    .message().doesNotContain("wr0ng-pa55");
            assertThatThrownBy(() -> client.remoteRead(PrometheusWithData.DATA_START, PrometheusWithData.DATA_END, EVERYTHING, Set.of(),
                    PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS)).hasMessageContaining("remote read answered HTTP 401");
        }
    }

    @Test
    void theServerCertificateIsVerifiedAgainstTheCaAndTheName() throws Exception {
        String auth = "basic_auth:\n  username: " + USER + "\n  password: " + PASSWORD + "\n";
        try (PrometheusClient systemRoots = client(data.prometheus(), HttpClientConfig.parse(auth, "test"))) {
            assertThatThrownBy(systemRoots::externalLabels).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("TLS handshake with https://127.0.0.1:" + data.prometheus().port() + " failed")
                    .hasMessageContaining("PKIX path building failed");
        }
        String withCa = auth + "tls_config:\n  ca_file: " + certificates.caFile() + "\n";
        try (PrometheusClient otherName = client(data.prometheus(), HttpClientConfig.parse(withCa + "  server_name: other.test\n", "test"))) {
            assertThatThrownBy(otherName::externalLabels).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("other.test");
        }
        try (PrometheusClient certifiedName = client(data.prometheus(), HttpClientConfig.parse(withCa + "  server_name: prometheus.test\n", "test"));
                PrometheusClient unverified = client(data.prometheus(), HttpClientConfig.parse(auth + "tls_config:\n  insecure_skip_verify: true\n",
                        "test"))) {
            assertThat(certifiedName.externalLabels().get("cluster")).isEqualTo("eu-1");
            assertThat(unverified.externalLabels().get("cluster")).isEqualTo("eu-1");
        }
    }

    @Test
    void clientCertificatesInEveryKeyFormatAreAcceptedAndTheirAbsenceRefused() throws Exception {
        for (TestCertificates.KeyForm format : TestCertificates.KeyForm.values()) {
            TestPki.Pair pair = certificates.client("client-" + format, "gauntlet-" + format, format);
            try (PrometheusClient client = client(mutual, mutualTls(pair, certificates.caFile()))) {
                assertThat(client.externalLabels()).as(format.name()).isEqualTo(Labels.of("cluster", "mtls"));
            }
        }
        String noCertificate = "basic_auth:\n  username: " + USER + "\n  password: " + PASSWORD + "\ntls_config:\n  ca_file: "
                + certificates.caFile() + "\n";
        try (PrometheusClient client = client(mutual, HttpClientConfig.parse(noCertificate, "test"))) {
            assertThatThrownBy(client::externalLabels).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("certificate");
        }
        TestPki stranger = TestPki.create(directory.resolve("other-pki"), "stranger");
        TestPki.Pair foreign = stranger.client("foreign", "intruder", TestCertificates.KeyForm.EC_PKCS8);
        try (PrometheusClient client = client(mutual, mutualTls(foreign, certificates.caFile()))) {
            assertThatThrownBy(client::externalLabels).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("certificate");
        }
        assertThatThrownBy(() -> client(mutual, HttpClientConfig.parse("tls_config:\n  cert_file: " + foreign.certificate() + "\n  key_file: "
                + directory.resolve("missing.key") + "\n", "test"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls_config: ").hasMessageContaining("missing.key");
    }

    private static HttpClientConfig mutualTls(TestPki.Pair pair, Path ca) {
        return HttpClientConfig.parse("basic_auth:\n  username: %s\n  password: %s\ntls_config:\n  ca_file: %s\n  cert_file: %s\n  key_file: %s\n"
                .formatted(USER, PASSWORD, ca, pair.certificate(), pair.key()), "test");
    }

    private static PrometheusClient client(PrometheusProcess prometheus, HttpClientConfig config) {
        return new PrometheusClient(prometheus.url(), config, Duration.ofSeconds(5), Duration.ofSeconds(30), ChunkedReadFrames.DEFAULT_MAX_FRAME_BYTES);
    }

    /** Series and samples of a full remote read (sample counts from the XOR chunks' headers). */
    private static List<Long> readAll(PrometheusClient client, PrometheusClient.ReadMode mode) throws StorageException {
        long series = 0;
        long samples = 0;
        ChunkSeriesSet set = client.remoteRead(PrometheusWithData.DATA_START, PrometheusWithData.DATA_END, EVERYTHING,
                PrometheusWithData.EXTERNAL_LABELS.keySet(), mode);
        while (set.next()) {
            series++;
            for (var chunk : set.chunks()) {
                samples += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
            }
        }
        return List.of(series, samples);
    }
}
