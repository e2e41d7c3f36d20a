package io.gauntlet.prometheus.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import io.gauntlet.tls.TestCertificates;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus 2.42 ({@code /usr/bin/prometheus}) on a free loopback port with its own data directory, scraping
 * itself every second, optionally behind its own {@code --web.config.file} (TLS, basic auth, client certificates).
 * Killable with SIGKILL and restartable on the same port and data. Skips the test when the binary is missing.
 */
public final class PrometheusProcess implements AutoCloseable {
    /**
     * Prometheus' web config: TLS with the {@code server} pair, client certificates of {@code caFile} required when
     * {@code client} is set, and one basic auth user (none when {@code username} is null). Prometheus scrapes itself
     * through the same door with these credentials; {@code trust} is what the readiness probe uses.
     */
    public record WebSecurity(Path caFile, TestPki.Pair server, TestPki.Pair client, String username, String password,
                              SSLContext trust) {
        /** The {@code --web.config.file} content. */
        String webConfig() {
            StringBuilder yaml = new StringBuilder("tls_server_config:\n  cert_file: " + server.certificate() + "\n  key_file: " + server.key() + "\n");
            if (client != null) {
                yaml.append("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ").append(caFile).append('\n');
            }
            if (username != null) {
                yaml.append("basic_auth_users:\n  ").append(username).append(": '").append(TestPki.bcrypt(password)).append("'\n");
            }
            return yaml.toString();
        }

        /** The self-scrape's way in, as a scrape config's keys. */
        String scrapeConfig() {
            StringBuilder yaml = new StringBuilder("    scheme: https\n    tls_config:\n      ca_file: " + caFile + "\n");
            if (client != null) {
                yaml.append("      cert_file: ").append(client.certificate()).append("\n      key_file: ").append(client.key()).append('\n');
            }
            if (username != null) {
                yaml.append("    basic_auth:\n      username: ").append(username).append("\n      password: '").append(password).append("'\n");
            }
            return yaml.toString();
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger SECURED = new java.util.concurrent.atomic.AtomicInteger();

    private final Path executable;
    private final Path directory;
    private final int port;
    private final String minBlockDuration;
    private final String maxBlockDuration;
    private final WebSecurity security;
    private final List<String> extraFlags;
    private Process process;

    private PrometheusProcess(Path executable, Path directory, int port, String minBlockDuration, String maxBlockDuration, WebSecurity security,
            List<String> extraFlags) {
        this.executable = executable;
        this.directory = directory;
        this.port = port;
        this.minBlockDuration = minBlockDuration;
        this.maxBlockDuration = maxBlockDuration;
        this.security = security;
        this.extraFlags = extraFlags;
    }

    /**
     * Writes the configuration with these external labels (none: no external_labels section) and starts Prometheus
     * over {@code blocks} (copied into its data directory first), on plain HTTP.
     */
    public static PrometheusProcess start(Path directory, Map<String, String> externalLabels, List<Path> blocks, String minBlockDuration,
            String maxBlockDuration) throws IOException {
        return start(directory, externalLabels, blocks, minBlockDuration, maxBlockDuration, null, List.of());
    }

    /** The same behind {@code security} (null: plain HTTP), with extra command line flags. */
    public static PrometheusProcess start(Path directory, Map<String, String> externalLabels, List<Path> blocks, String minBlockDuration,
            String maxBlockDuration, WebSecurity security, List<String> extraFlags) throws IOException {
        Path executable = Path.of(System.getProperty("gauntlet.prometheus", "/usr/bin/prometheus"));
        Assumptions.assumeTrue(Files.isExecutable(executable),
                "Prometheus 2.42 not found at " + executable + ": skipping (install Debian package 'prometheus' or run ./gauntlet test)");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path data = directory.resolve("data");
        Files.createDirectories(data);
        for (Path block : blocks) {
            copyTree(block, data.resolve(block.getFileName()));
        }
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
        if (!externalLabels.isEmpty()) {
            config.append("  external_labels:\n");
            externalLabels.forEach((name, value) -> config.append("    ").append(name).append(": \"").append(value).append("\"\n"));
        }
        config.append("scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:").append(port).append("']\n");
        if (security != null) {
            config.append(security.scrapeConfig());
        }
        Files.writeString(directory.resolve("prometheus.yml"), config);
        if (security != null) {
            Files.writeString(directory.resolve("web.yml"), security.webConfig());
        }
        PrometheusProcess prometheus = new PrometheusProcess(executable, directory, port, minBlockDuration, maxBlockDuration, security,
                List.copyOf(extraFlags));
        prometheus.start();
        return prometheus;
    }

    /** The running process, e.g. to read its CPU time. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public URI url() {
        return URI.create((security == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--config.file=" + directory.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.min-block-duration=" + minBlockDuration,
                "--storage.tsdb.max-block-duration=" + maxBlockDuration,
                "--storage.tsdb.retention.time=3650d",
                "--log.level=warn"));
        if (security != null) {
            command.add("--web.config.file=" + directory.resolve("web.yml"));
        }
        command.addAll(extraFlags);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("prometheus.log").toFile())).start();
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (security != null) {
            builder.sslContext(security.trust());
        }
        HttpRequest.Builder ready = HttpRequest.newBuilder(url().resolve("/-/ready"));
        if (security != null && security.username() != null) {
            ready.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((security.username() + ":" + security.password())
                    .getBytes(StandardCharsets.UTF_8)));
        }
        try (HttpClient http = builder.build()) {
            await("prometheus ready on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": "
                            + Files.readString(directory.resolve("prometheus.log")));
                }
                try {
                    return http.send(ready.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    /** SIGKILL, as a crash: no shutdown, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /**
     * TLS with a new server certificate of {@code pki} (also for the name {@code prometheus.test}) and basic auth for
     * {@code username}, requiring client certificates of the same CA when {@code requireClientCertificates}.
     */
    public static WebSecurity secured(TestPki pki, String username, String password, boolean requireClientCertificates)
            throws IOException, GeneralSecurityException {
        int n = SECURED.incrementAndGet();
        TestPki.Pair scrape = requireClientCertificates
                ? pki.client("prometheus-self-scrape-" + n, "prometheus", TestCertificates.KeyForm.EC_PKCS8) : null;
        return new WebSecurity(pki.caFile(), pki.server("prometheus-server-" + n, TestCertificates.KeyForm.EC_PKCS8, "prometheus.test"),
                scrape, username, password, pki.sslContext(requireClientCertificates));
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (var paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination);
                }
            }
        }
    }
}
