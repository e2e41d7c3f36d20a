package io.gauntlet.querier;

import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.prometheus.PrometheusExemplarsService;
import io.gauntlet.prometheus.PrometheusTargetsService;
import io.gauntlet.proto.thanos.info.ExemplarsInfo;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.info.TargetsInfo;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.Labels;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The stores of the exemplars and targets test. One Prometheus 2.42 with {@code --enable-feature=exemplar-storage} and
 * external labels {@code {cluster="ex", replica="a"}} scrapes an exporter made with the Prometheus Java client, whose
 * counter carries exemplars (OpenMetrics), and has a dropped target. In front of it: a real Gauntlet sidecar (its
 * fast-jar), and a second replica — the same library services over the same Prometheus, announcing
 * {@code replica="b"} — so the querier (replica label {@code replica}) must deduplicate; and a third endpoint whose
 * Prometheus is down (partial response). When Prometheus or the sidecar jar is missing, {@code test.exemplars-skip}
 * says why.
 */
public class ExemplarStoresResource implements QuarkusTestResourceLifecycleManager {
    static final String DOWN_PROMETHEUS = "http://127.0.0.1:1";
    static final String EXPORTER_JOB = "exporter";
    static final String DROPPED_JOB = "dropped";

    private final List<Process> processes = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<PrometheusClient> clients = new ArrayList<>();
    private HTTPServer exporter;
    private Path directory;

    @Override
    public Map<String, String> start() {
        Path prometheusBinary = Path.of("/usr/bin/prometheus");
        Path sidecarJar = Path.of(System.getProperty("user.dir"), "../sidecar/target/quarkus-app/quarkus-run.jar").normalize();
        if (!Files.isExecutable(prometheusBinary)) {
            return Map.of("test.exemplars-skip", "Prometheus 2.42 is not installed at " + prometheusBinary);
        }
        if (!Files.isRegularFile(sidecarJar)) {
            return Map.of("test.exemplars-skip", sidecarJar + " is missing: build services/sidecar first (mvn install)");
        }
        try {
            directory = Files.createTempDirectory("querier-exemplars");
            PrometheusRegistry registry = new PrometheusRegistry();
            Counter requests = Counter.builder().name("gauntlet_test_requests").help("Requests served.").labelNames("path").register(registry);
            requests.labelValues("/a").incWithExemplar(3, io.prometheus.metrics.model.snapshots.Labels.of("trace_id", "aaaa"));
            requests.labelValues("/b").incWithExemplar(5, io.prometheus.metrics.model.snapshots.Labels.of("trace_id", "bbbb"));
            exporter = HTTPServer.builder().inetAddress(InetAddress.getLoopbackAddress()).port(0).registry(registry).buildAndStart();

            int prometheusPort = freePort();
            // 5s: both reads of a comparison usually fall between two scrapes, so lastScrape is the same in both
            Files.writeString(directory.resolve("prometheus.yml"), "global:\n  scrape_interval: 5s\n  external_labels:\n    cluster: ex\n"
                    + "    replica: a\nscrape_configs:\n  - job_name: " + EXPORTER_JOB + "\n    static_configs:\n      - targets: ['127.0.0.1:"
                    + exporter.getPort() + "']\n  - job_name: " + DROPPED_JOB + "\n    static_configs:\n      - targets: ['127.0.0.1:1']\n"
                    + "    relabel_configs:\n      - action: drop\n        source_labels: [__address__]\n        regex: '.*:1'\n");
            String prometheus = "http://127.0.0.1:" + prometheusPort;
            start("prometheus", List.of(prometheusBinary.toString(), "--config.file=" + directory.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                    "--enable-feature=exemplar-storage", "--log.level=warn"), prometheus + "/-/ready");

            int sidecarHttp = freePort();
            int sidecarGrpc = freePort();
            start("sidecar", List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + sidecarHttp, "-Dquarkus.banner.enabled=false",
                    "-Dgauntlet.grpc.address=127.0.0.1:" + sidecarGrpc, "-Dgauntlet.sidecar.prometheus-url=" + prometheus,
                    "-Dgauntlet.sidecar.refresh-interval=1s", "-jar", sidecarJar.toString()), "http://127.0.0.1:" + sidecarHttp + "/-/ready");

            Server replicaB = serve(prometheus, Labels.of("cluster", "ex", "replica", "b"));
            Server down = serve(DOWN_PROMETHEUS, Labels.of("cluster", "down"));

            Map<String, String> config = new HashMap<>();
            config.put("gauntlet.querier.endpoints", String.join(",", "127.0.0.1:" + sidecarGrpc, "127.0.0.1:" + replicaB.getPort(),
                    "127.0.0.1:" + down.getPort()));
            config.put("gauntlet.querier.replica-labels", "replica");
            config.put("gauntlet.querier.info-interval", "1s");
            config.put("test.prometheus-url", prometheus);
            config.put("test.sidecar-grpc-port", Integer.toString(sidecarGrpc));
            return config;
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        }
    }

    /** An endpoint as a sidecar of {@code prometheus} announcing {@code external}: Store, Info, Exemplars, Targets. */
    private Server serve(String prometheus, Labels external) throws IOException {
        PrometheusClient client = new PrometheusClient(URI.create(prometheus), Duration.ofSeconds(10));
        clients.add(client);
        InfoResponse apis = InfoResponse.newBuilder().setExemplars(ExemplarsInfo.newBuilder().setMinTime(Long.MIN_VALUE).setMaxTime(Long.MAX_VALUE))
                .setTargets(TargetsInfo.getDefaultInstance()).build();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        new StoreServer(new MemoryChunkSource("sidecar", external)).announcing(apis).services().forEach(builder::addService);
        builder.addService(new PrometheusExemplarsService(client, () -> external).service());
        builder.addService(new PrometheusTargetsService(client, () -> external).service());
        Server server = builder.build().start();
        servers.add(server);
        return server;
    }

    private static int freePort() throws IOException {
        return SidecarStoresResource.freePort();
    }

    private void start(String name, List<String> command, String readyUrl) throws IOException {
        SidecarStoresResource.startProcess(directory.resolve(name + ".log"), name, command, readyUrl, processes);
    }

    @Override
    public void stop() {
        servers.forEach(Server::shutdownNow);
        clients.forEach(PrometheusClient::close);
        if (exporter != null) {
            exporter.stop();
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
