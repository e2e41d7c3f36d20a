package io.gauntlet.rules.notifier;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** A real Alertmanager 0.25 (Debian's prometheus-alertmanager) on a loopback port, clustering off, for tests. */
public final class AlertmanagerProcess implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path directory;
    private final int port;
    private Process process;

    private AlertmanagerProcess(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    public static AlertmanagerProcess start(Path directory) throws IOException {
        AlertmanagerProcess alertmanager = new AlertmanagerProcess(directory, freePort());
        alertmanager.start();
        return alertmanager;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public void start() throws IOException {
        Files.createDirectories(directory);
        Path config = directory.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: blackhole
                  group_wait: 0s
                receivers:
                  - name: blackhole
                """);
        process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(directory.resolve("alertmanager.log").toFile()).start();
        Awaitility.await("Alertmanager ready on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Alertmanager exited: " + Files.readString(directory.resolve("alertmanager.log")));
                    }
                    try {
                        return HTTP.send(HttpRequest.newBuilder(url().resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** GET /api/v2/alerts as JSON text. */
    public String alerts() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(url().resolve("/api/v2/alerts")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
