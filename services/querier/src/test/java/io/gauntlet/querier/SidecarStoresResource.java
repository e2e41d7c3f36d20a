package io.gauntlet.querier;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.MetadataServer;
import io.gauntlet.store.StoreServer;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.Labels;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The stores of the metadata test: a real Gauntlet sidecar (its fast-jar, as an operator runs it) in front of a real
 * Prometheus 2.42 scraping itself, a store without the Metadata API (as a store gateway), and a store whose metadata
 * backend is down. When Prometheus or the sidecar jar is missing, {@code test.metadata-skip} says why.
 */
public class SidecarStoresResource implements QuarkusTestResourceLifecycleManager {
    static final String DOWN_PROMETHEUS = "http://127.0.0.1:1";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Process> processes = new ArrayList<>();
    private final List<StoreFixture> fixtures = new ArrayList<>();
    private Server downStore;
    private Path directory;

    @Override
    public Map<String, String> start() {
        Path prometheusBinary = Path.of("/usr/bin/prometheus");
        Path sidecarJar = Path.of(System.getProperty("user.dir"), "../sidecar/target/quarkus-app/quarkus-run.jar").normalize();
        Map<String, String> config = new HashMap<>();
        if (!Files.isExecutable(prometheusBinary)) {
            return Map.of("test.metadata-skip", "Prometheus 2.42 is not installed at " + prometheusBinary);
        }
        if (!Files.isRegularFile(sidecarJar)) {
            return Map.of("test.metadata-skip", sidecarJar + " is missing: build services/sidecar first (mvn install)");
        }
        try {
            directory = Files.createTempDirectory("querier-metadata");
            int prometheusPort = freePort();
            Files.writeString(directory.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n  external_labels:\n    cluster: meta\n"
                    + "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:" + prometheusPort + "']\n");
            String prometheus = "http://127.0.0.1:" + prometheusPort;
            start("prometheus", List.of(prometheusBinary.toString(), "--config.file=" + directory.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                    "--log.level=warn"), prometheus + "/-/ready");

            int sidecarHttp = freePort();
            int sidecarGrpc = freePort();
            start("sidecar", List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + sidecarHttp, "-Dquarkus.banner.enabled=false",
                    "-Dgauntlet.grpc.address=127.0.0.1:" + sidecarGrpc, "-Dgauntlet.sidecar.prometheus-url=" + prometheus,
                    "-Dgauntlet.sidecar.refresh-interval=1s", "-jar", sidecarJar.toString()), "http://127.0.0.1:" + sidecarHttp + "/-/ready");

            StoreFixture withoutMetadata = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("zone", "gateway")));
            fixtures.add(withoutMetadata);
            NettyServerBuilder down = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
            new StoreServer(new MemoryChunkSource("sidecar", Labels.of("cluster", "down"))).services().forEach(down::addService);
            down.addService(new MetadataServer((metric, limit) -> {
                throw new StoreUnavailableException("prometheus " + DOWN_PROMETHEUS + " unreachable (/api/v1/metadata): connection refused");
            }).metadataService());
            downStore = down.build().start();

            config.put("gauntlet.querier.endpoints", String.join(",", "127.0.0.1:" + sidecarGrpc, withoutMetadata.address(),
                    "127.0.0.1:" + downStore.getPort()));
            config.put("gauntlet.querier.info-interval", "1s");
            config.put("test.prometheus-url", prometheus);
            return config;
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts a process with its output in a log file and waits until {@code readyUrl} answers 200. */
    private void start(String name, List<String> command, String readyUrl) throws IOException {
        startProcess(directory.resolve(name + ".log"), name, command, readyUrl, processes);
    }

    /** Starts a process (added to {@code started} at once, so that a failed wait still stops it) and waits until it is ready. */
    static void startProcess(Path log, String name, List<String> command, String readyUrl, List<Process> started) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(process);
        Awaitility.await(name + " ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(readyUrl)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void stop() {
        if (downStore != null) {
            downStore.shutdownNow();
        }
        for (StoreFixture fixture : fixtures) {
            try {
                fixture.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Process process : processes.reversed()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (directory != null) {
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
