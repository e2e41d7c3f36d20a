package io.gauntlet.sidecar;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus 2.42 ({@code /usr/bin/prometheus}) on a free loopback port with its own data directory, scraping
 * itself every second. Killable with SIGKILL and restartable on the same port and data. Skips the test when the
 * binary is missing.
 */
final class PrometheusProcess implements AutoCloseable {
    private final Path executable;
    private final Path directory;
    private final int port;
    private final String minBlockDuration;
    private final String maxBlockDuration;
    private Process process;

    private PrometheusProcess(Path executable, Path directory, int port, String minBlockDuration, String maxBlockDuration) {
        this.executable = executable;
        this.directory = directory;
        this.port = port;
        this.minBlockDuration = minBlockDuration;
        this.maxBlockDuration = maxBlockDuration;
    }

    /**
     * Writes the configuration with these external labels (none: no external_labels section) and starts Prometheus
     * over {@code blocks} (copied into its data directory first).
     */
    static PrometheusProcess start(Path directory, Map<String, String> externalLabels, List<Path> blocks, String minBlockDuration,
            String maxBlockDuration) throws IOException {
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
        Files.writeString(directory.resolve("prometheus.yml"), config);
        PrometheusProcess prometheus = new PrometheusProcess(executable, directory, port, minBlockDuration, maxBlockDuration);
        prometheus.start();
        return prometheus;
    }

    /** The running process, e.g. to read its CPU time. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--config.file=" + directory.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.min-block-duration=" + minBlockDuration,
                "--storage.tsdb.max-block-duration=" + maxBlockDuration,
                "--storage.tsdb.retention.time=3650d",
                "--log.level=warn"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("prometheus.log").toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        await("prometheus ready on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": "
                        + Files.readString(directory.resolve("prometheus.log")));
            }
            try {
                return http.send(HttpRequest.newBuilder(url().resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGKILL, as a crash: no shutdown, no flush. */
    void kill() throws InterruptedException {
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
