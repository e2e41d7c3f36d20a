package io.gauntlet.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.DepsScript;
import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.gauntlet.prometheus.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External labels from a real Prometheus 2.42's config API: refused when empty, followed across a config reload, and
 * read through TLS and basic auth (a wrong password fails the start naming the 401).
 */
class ShipperPrometheusLabelsTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path work;

    @Test
    void takesExternalLabelsFromPrometheusAndFollowsAReload() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "Prometheus 2.42 not installed at /usr/bin/prometheus: skipping");
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1m\n");
        int port = DepsScript.freePort();
        URI url = URI.create("http://127.0.0.1:" + port);
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("prom-data"),
                "--web.listen-address=127.0.0.1:" + port, "--web.enable-lifecycle")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            Path tsdb = Files.createDirectories(work.resolve("tsdb"));
            BucketConfig bucketConfig = BucketConfig.filesystem(work.resolve("bucket"));
            ShipperOptions options = ShipperOptions.of(tsdb, bucketConfig, Map.of()).withPrometheus(url, Duration.ZERO)
                    .withIntervals(Duration.ofMinutes(10), Duration.ofMillis(100), Duration.ofSeconds(1));

            assertThat(labels(url, HttpClientConfig.NONE)).isEmpty();
            assertThatThrownBy(() -> Shipper.start(options, new SimpleMeterRegistry()))
                    .isInstanceOf(ShipperException.class).hasMessageStartingWith("external labels are empty");

            reload(http, url, config, "cluster: prom\n    prometheus_replica: \"0\"");
            assertThat(labels(url, HttpClientConfig.NONE)).isEqualTo(Map.of("cluster", "prom", "prometheus_replica", "0"));
            Path made = Files.createDirectories(work.resolve("made"));
            Path first = TsdbBlocks.randomBlock(made, TsdbBlocks.START, 3, 512 * 1024);
            Path second = TsdbBlocks.randomBlock(made, TsdbBlocks.START + TsdbBlocks.BLOCK, 3, 512 * 1024);
            try (Shipper shipper = Shipper.start(options, new SimpleMeterRegistry());
                 Bucket bucket = BucketFactory.create(bucketConfig)) {
                TsdbBlocks.install(first, tsdb);
                String firstUlid = first.getFileName().toString();
                await().atMost(Duration.ofSeconds(30)).until(() -> bucket.exists(firstUlid + "/meta.json"));
                assertThat(BucketBlocks.meta(bucket, firstUlid).thanos().labels()).isEqualTo(Map.of("cluster", "prom", "prometheus_replica", "0"));

                reload(http, url, config, "cluster: prom\n    prometheus_replica: \"1\"");
                TsdbBlocks.install(second, tsdb);
                String secondUlid = second.getFileName().toString();
                await().atMost(Duration.ofSeconds(30)).until(() -> bucket.exists(secondUlid + "/meta.json"));
                assertThat(BucketBlocks.meta(bucket, secondUlid).thanos().labels()).isEqualTo(Map.of("cluster", "prom", "prometheus_replica", "1"));
            }
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void takesExternalLabelsFromAPrometheusBehindTlsAndBasicAuth() throws Exception {
        TestPki certificates = TestPki.create(work.resolve("pki"), "shipper-test");
        try (PrometheusProcess prometheus = PrometheusProcess.start(work.resolve("prometheus"), Map.of("cluster", "tls", "prometheus_replica", "a"),
                List.of(), "2h", "2h", PrometheusProcess.secured(certificates, "shipper", "sh1pper-pa55", false), List.of())) {
            Path tsdb = Files.createDirectories(work.resolve("tsdb"));
            ShipperOptions options = ShipperOptions.of(tsdb, BucketConfig.filesystem(work.resolve("bucket")), Map.of())
                    .withPrometheus(prometheus.url(), Duration.ZERO).withIntervals(Duration.ofMinutes(10), Duration.ofMillis(100), Duration.ofSeconds(1));
            String tls = "tls_config:\n  ca_file: " + certificates.caFile() + "\n";
            HttpClientConfig right = HttpClientConfig.parse("basic_auth:\n  username: shipper\n  password: sh1pper-pa55\n" + tls, "test");
            try (Shipper shipper = Shipper.start(options.withPrometheusHttpClient(right), new SimpleMeterRegistry())) {
                assertThat(shipper.externalLabels()).isEqualTo(Map.of("cluster", "tls", "prometheus_replica", "a"));
            }
            HttpClientConfig wrong = HttpClientConfig.parse("basic_auth:\n  username: shipper\n  password: wr0ng-pa55\n" + tls, "test");
            assertThatThrownBy(() -> Shipper.start(options.withPrometheusHttpClient(wrong), new SimpleMeterRegistry()))
                    .isInstanceOf(ShipperException.class).hasMessageContaining("answered HTTP 401").hasMessageContaining("check basic_auth")
                    .message().doesNotContain("wr0ng-pa55");
        }
    }

    private static Map<String, String> labels(URI url, HttpClientConfig http) {
        try (PrometheusClient client = new PrometheusClient(url, http, Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            return Shipper.fetchExternalLabels(client);
        }
    }

    private static void reload(HttpClient http, URI url, Path config, String labels) throws Exception {
        Files.writeString(config, "global:\n  scrape_interval: 1m\n  external_labels:\n    " + labels + "\n");
        int status = http.send(HttpRequest.newBuilder(url.resolve("/-/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).isEqualTo(200);
    }
}
