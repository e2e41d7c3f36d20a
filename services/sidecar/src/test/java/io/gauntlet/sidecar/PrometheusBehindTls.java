package io.gauntlet.sidecar;

import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.gauntlet.prometheus.testing.PrometheusWithData;
import io.gauntlet.prometheus.testing.TestPki;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test resource: {@link PrometheusWithBlocks}' data behind Prometheus' own {@code --web.config.file} (TLS with a CA made
 * here, basic auth). The sidecar gets an https URL and Thanos' http client config file: the CA, the user and a
 * password file the test may rewrite.
 */
public final class PrometheusBehindTls implements QuarkusTestResourceLifecycleManager {
    static final String USER = "sidecar";
    static final String PASSWORD = "s1decar-pa55word";
    static volatile PrometheusWithData data;
    static volatile Path passwordFile;
    static volatile OpenMetricsGenerator.Summary generated;

    @Override
    public Map<String, String> start() {
        try {
            Path directory = Files.createTempDirectory("gauntlet-sidecar-tls");
            TestPki certificates = TestPki.create(directory.resolve("pki"), "sidecar-test");
            data = PrometheusWithData.start(directory.resolve("prometheus"), PrometheusProcess.secured(certificates, USER, PASSWORD, false));
            generated = data.generated();
            passwordFile = directory.resolve("pki").resolve("password");
            Files.writeString(passwordFile, PASSWORD);
            Path clientConfig = directory.resolve("pki").resolve("prometheus-http-client.yml");
            Files.writeString(clientConfig, "basic_auth:\n  username: " + USER + "\n  password_file: " + passwordFile + "\ntls_config:\n  ca_file: "
                    + certificates.caFile() + "\n");
            return Map.of("gauntlet.sidecar.prometheus-url", data.prometheus().url().toString(),
                    "gauntlet.sidecar.prometheus-http-client-file", clientConfig.toString());
        } catch (Exception e) {
            throw new IllegalStateException("starting a Prometheus behind TLS failed", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (data != null) {
                data.close(); // its directory holds the certificates too
            }
        } catch (Exception e) {
            throw new IllegalStateException("cleaning up the test Prometheus failed", e);
        }
    }
}
