package io.gauntlet.query.testing;

import io.gauntlet.proto.prometheus.WriteRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.xerial.snappy.Snappy;

/**
 * A real Prometheus 2.42 on loopback with native histograms and the remote write receiver turned on: samples go in by
 * remote write (any timestamps, histograms included), answers come back as the raw bytes of its HTTP API.
 * {@link #close()} stops the process.
 */
public final class PrometheusReference implements AutoCloseable {
    public static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final String url;
    private final Path directory;

    private PrometheusReference(Process process, String url, Path directory) {
        this.process = process;
        this.url = url;
        this.directory = directory;
    }

    /** Starts Prometheus in {@code directory} with {@code extraFlags}, or skips the test when it is not installed. */
    public static PrometheusReference start(Path directory, String configYaml, String... extraFlags) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus 2.42 not installed at " + PROMETHEUS + ": skipping");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, configYaml);
        List<String> command = new ArrayList<>(List.of(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--enable-feature=native-histograms", "--web.enable-remote-write-receiver",
                "--storage.tsdb.retention.time=100y"));
        command.addAll(List.of(extraFlags));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        PrometheusReference prometheus = new PrometheusReference(process, "http://127.0.0.1:" + port, directory);
        try {
            Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("prometheus exited: " + Files.readString(directory.resolve("prometheus.log")));
                        }
                        return HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.url + "/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (RuntimeException | Error e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    public String url() {
        return url;
    }

    public Path directory() {
        return directory;
    }

    /** Remote write; fails unless Prometheus accepted every sample. */
    public void write(WriteRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/write"))
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request.toByteArray()))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("remote write refused (" + response.statusCode() + "): " + response.body());
        }
    }

    /** The raw body of a form POST to the HTTP API ({@code name, value, name, value, …}). */
    public String post(String path, String... parameters) throws IOException, InterruptedException {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < parameters.length; i += 2) {
            form.append(i == 0 ? "" : "&").append(parameters[i]).append('=')
                    .append(URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
        }
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(20))) {
                process.destroyForcibly();
                process.waitFor(Duration.ofSeconds(10));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
