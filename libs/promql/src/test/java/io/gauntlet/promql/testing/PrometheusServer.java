package io.gauntlet.promql.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Prometheus 2.42 on 127.0.0.1 over a TSDB directory made by promtool, for differential tests. Readiness is
 * taken from its log line, not from a sleep. {@link #close()} stops the process it started.
 */
final class PrometheusServer implements AutoCloseable {
    private static final String READY = "Server is ready to receive web requests.";

    private final Process process;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> log = new ArrayList<>();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Path requireExecutable(String name) {
        for (String directory : (System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/bin")
                .split(java.io.File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, name))) {
                return Path.of(directory, name);
            }
        }
        Assumptions.abort(name + " not found on PATH: skipping the differential test against Prometheus 2.42");
        return null;
    }

    /** {@code promtool tsdb create-blocks-from openmetrics}. */
    static void createBlocks(Path openMetrics, Path dataDirectory) throws IOException, InterruptedException {
        Path promtool = requireExecutable("promtool");
        Process process = new ProcessBuilder(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                openMetrics.toString(), dataDirectory.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("promtool failed: " + output);
        }
    }

    static PrometheusServer start(Path dataDirectory, Path workDirectory) throws IOException, InterruptedException {
        Path prometheus = requireExecutable("prometheus");
        Path config = workDirectory.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1h\n");
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dataDirectory, "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:" + port, "--query.lookback-delta=5m")
                .redirectErrorStream(true).start();
        PrometheusServer server = new PrometheusServer(process, port);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            lines.add("<eof>");
        }, "prometheus-log");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals("<eof>")) {
                server.close();
                throw new IOException("prometheus did not become ready: " + String.join("\n", server.log));
            }
            server.log.add(line);
            if (line.contains(READY)) {
                return server;
            }
        }
    }

    /** The {@code data} of a successful API answer, or an exception carrying the API error. */
    JsonNode query(String path, String... parameters) throws IOException, InterruptedException {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < parameters.length; i += 2) {
            if (i > 0) {
                form.append('&');
            }
            form.append(parameters[i]).append('=').append(URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new PrometheusError(body.path("errorType").asText(), body.path("error").asText());
        }
        return body.path("data");
    }

    static final class PrometheusError extends IOException {
        final String errorType;

        PrometheusError(String errorType, String message) {
            super(errorType + ": " + message);
            this.errorType = errorType;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
