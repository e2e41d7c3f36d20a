package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.frontend.testing.MemcachedServer;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 30-day Grafana dashboard of 8 range queries over the history {@code ./gauntlet up --seed-history 30d} writes
 * (scripts/seed, both replicas of an HA pair), through the querier alone and through the query frontend (in-memory
 * cache, block events from Kafka): first load, warm refresh, and refresh after one new 2h block (its event). Fast-jars
 * as processes (store gateway → querier → frontend). The 8 panels load at once, as Grafana loads them. Not part of the
 * test run: {@code mvn -pl scripts/seed -am install -DskipTests} then {@code ./gauntlet test -pl tests/integration
 * -Dtest=QueryFrontendBench -Dsurefire.failIfNoSpecifiedTests=false}; prints the figures and writes
 * target/query-frontend-bench.txt.
 */
class QueryFrontendBench {
    private static final long MINUTE = 60_000L;
    private static final long H = 60 * MINUTE;
    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    /** Dashboards loaded (cold and warm through each frontend) before the runs: the JIT's time is not measured. */
    private static final int WARMUPS = Integer.getInteger("bench.warmups", 1);
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
    /** The seeder's default profile, at a size this bench can afford: {@code -Dbench.instances=6} for the full default. */
    private static final int INSTANCES = Integer.getInteger("bench.instances", 2);
    /** Eight panels of a node_exporter dashboard ("Node Exporter Full" style). */
    static final List<String> DASHBOARD = List.of(
            "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))",
            "avg by (instance, mode) (rate(node_cpu_seconds_total[5m]))",
            "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
            "node_load1",
            "sum by (instance) (rate(node_network_receive_bytes_total[5m]))",
            "sum by (instance) (rate(node_disk_written_bytes_total[5m]))",
            "max by (instance) (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes)",
            "rate(node_context_switches_total[5m])");

    /** {@code -Dbench.cache=memcached}: the results cache in Debian's memcached instead of the frontend's memory. */
    private static final String CACHE = System.getProperty("bench.cache", "in-memory");
    /** {@code -Dbench.compare-frontend=<quarkus-run.jar>}: another build of the frontend, run beside this one, alternating. */
    private static final String COMPARE = System.getProperty("bench.compare-frontend", "");
    /** {@code -Dbench.parallelism=N}: the frontends' max-query-parallelism (parts of one panel in flight). */
    private static final String PARALLELISM = System.getProperty("bench.parallelism", "");
    /** {@code -Dbench.compare-parallelism=N}: the compared frontend's max-query-parallelism (default: as the other). */
    private static final String COMPARE_PARALLELISM = System.getProperty("bench.compare-parallelism", PARALLELISM);
    /** {@code -Dbench.jfr=<directory>}: a JFR profile of the querier and the frontend, written when they stop. */
    private static final String JFR = System.getProperty("bench.jfr", "");

    @TempDir
    Path work;

    private static List<String> withProfile(String name, List<String> properties) {
        if (JFR.isEmpty()) {
            return properties;
        }
        List<String> out = new ArrayList<>(properties);
        out.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + Path.of(JFR).toAbsolutePath().resolve(name + ".jfr"));
        return out;
    }

    @Test
    void thirtyDayDashboard() throws Exception {
        Path seedTool = ServiceProcess.rootDirectory().resolve("scripts/seed/target");
        Assumptions.assumeTrue(Files.isRegularFile(seedTool.resolve("classpath.txt")),
                "build the seeder first: mvn -pl scripts/seed -am install -DskipTests");
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        Path objstore = work.resolve("objstore.yml");
        Files.writeString(objstore, "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n");
        long end = System.currentTimeMillis() / MINUTE * MINUTE;
        Process seed = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp",
                seedTool.resolve("classes") + ":" + Files.readString(seedTool.resolve("classpath.txt")).trim(), "io.gauntlet.seed.SeedHistory",
                "--objstore-config-file", objstore.toString(), "--duration", "30d", "--profile", "node-exporter", "--instances",
                Integer.toString(INSTANCES), "--external-labels", "cluster=local",
                "--replica-label", "prometheus_replica", "--replicas", "a,b", "--scratch", work.resolve("seed").toString(),
                "--end-ms", Long.toString(end)).redirectErrorStream(true).redirectOutput(work.resolve("seed.log").toFile()).start();
        assertThat(seed.waitFor()).as(Files.readString(work.resolve("seed.log"))).isZero();
        String seeded = Files.readAllLines(work.resolve("seed.log")).getLast();

        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("frontend-bench-blocks", 1);
        try (ServiceProcess.Group processes = new ServiceProcess.Group();
             MemcachedServer memcached = CACHE.equals("memcached") ? MemcachedServer.start() : null) {
            String gatewayGrpc = "127.0.0.1:" + ServiceProcess.freePort();
            ServiceProcess gateway = processes.add(ServiceProcess.startService("store-gateway", work, ServiceProcess.freePort(), List.of(
                    "-Dgauntlet.grpc.address=" + gatewayGrpc, "-Dgauntlet.store-gateway.objstore-config-file=" + objstore,
                    "-Dgauntlet.store-gateway.data-dir=" + work.resolve("gateway-data"),
                    "-Dgauntlet.store-gateway.kafka-bootstrap=" + kafka.bootstrapServers(), "-Dgauntlet.store-gateway.events-topic=" + topic)));
            int querierPort = ServiceProcess.freePort();
            ServiceProcess querierProcess = processes.add(ServiceProcess.startService("querier", work, querierPort, withProfile("querier", List.of(
                    "-Dgauntlet.grpc.address=127.0.0.1:" + ServiceProcess.freePort(), "-Dgauntlet.querier.endpoints=" + gatewayGrpc,
                    // a loaded machine makes a slow figure, not a timeout
                    "-Dgauntlet.querier.replica-labels=prometheus_replica", "-Dgauntlet.querier.timeout=10m"))));
            String querier = "http://127.0.0.1:" + querierPort;
            await("the querier sees the store gateway").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ServiceProcess.get(querier + "/api/v1/stores").body().contains("\"healthy\":true"));
            String cacheConfig = CACHE.equals("memcached")
                    ? "type: MEMCACHED\nconfig:\n  addresses: [\"" + memcached.address() + "\"]\n  max_item_size: 8MiB\n"
                    : "type: IN-MEMORY\nconfig:\n  max_size: 512MB\n";
            List<Frontend> frontends = new ArrayList<>();
            frontends.add(startFrontend(processes, "query-frontend", ServiceProcess.rootDirectory()
                    .resolve("services/query-frontend/target/quarkus-app/quarkus-run.jar"), PARALLELISM, querier, cacheConfig, kafka, topic));
            if (!COMPARE.isEmpty()) {
                frontends.add(startFrontend(processes, "query-frontend-compared", Path.of(COMPARE), COMPARE_PARALLELISM, querier, cacheConfig,
                        kafka, topic));
            }

            // the dashboard's range as Grafana asks it: now-30d .. now, a 15-minute step (2,880 points a series)
            long start = end - 30 * 24 * H;
            long step = 15 * MINUTE;
            List<String> report = new ArrayList<>();
            report.add("data: " + seeded + "; cache " + CACHE + "; frontend parallelism " + (PARALLELISM.isEmpty() ? "default" : PARALLELISM)
                    + (COMPARE.isEmpty() ? "" : "; compared with " + COMPARE + " at parallelism "
                    + (COMPARE_PARALLELISM.isEmpty() ? "default" : COMPARE_PARALLELISM)));
            List<ServiceProcess> backend = List.of(querierProcess, gateway);
            try (ExecutorService panels = Executors.newFixedThreadPool(DASHBOARD.size())) {
                // warm-up: the JITs of all of them and the gateway's index headers
                for (int i = 0; i < WARMUPS; i++) {
                    dashboard(panels, querier, start, end, step, "");
                    for (Frontend frontend : frontends) {
                        dashboard(panels, frontend.url, start, end, step, "&bench_run=warmup" + i);
                        dashboard(panels, frontend.url, start, end, step, "&bench_run=warmup" + i);
                    }
                }
                Phase direct = new Phase("querier alone");
                for (Frontend frontend : frontends) {
                    frontend.first = new Phase(frontend.name + " first load");
                    frontend.warm = new Phase(frontend.name + " warm");
                    frontend.afterBlock = new Phase(frontend.name + " after a 2h block");
                }
                for (int run = 0; run < RUNS; run++) {
                    String fresh = "&bench_run=" + run; // a parameter the querier ignores: new cache keys, a cold cache
                    // alternating: the compared build goes first every other run
                    List<Frontend> order = run % 2 == 0 ? frontends : frontends.reversed();
                    report.add(direct.measure(panels, querier, start, end, step, "", backend, null, processesOf(frontends, null)));
                    for (Frontend frontend : order) {
                        report.add(frontend.first.measure(panels, frontend.url, start, end, step, fresh, backend, frontend.process,
                                processesOf(frontends, frontend)));
                        report.add(frontend.warm.measure(panels, frontend.url, start, end, step, fresh, backend, frontend.process,
                                processesOf(frontends, frontend)));
                    }
                    // a new 2h block of replica a (the newest the shipper uploads), then its event
                    newBlock(kafka, topic, bucket, end - 4 * H, end - 2 * H, run);
                    for (Frontend frontend : order) {
                        awaitEvents(frontend.url, run + 1);
                    }
                    for (Frontend frontend : order) {
                        report.add(frontend.afterBlock.measure(panels, frontend.url, start, end, step, fresh, backend, frontend.process,
                                processesOf(frontends, frontend)));
                    }
                }
                double q = direct.medianWall();
                for (Frontend frontend : frontends) {
                    report.add(String.format("median %s: querier alone %.0f ms (querier+gateway CPU %.0f ms); first load %.0f ms (%.2f×, "
                                    + "frontend CPU %.0f ms, querier+gateway CPU %.0f ms), warm refresh %.1f ms (%.3f×, frontend CPU %.0f ms), "
                                    + "refresh after one new 2h block %.0f ms (%.2f×)", frontend.name, q / 1e6, direct.medianBackendCpu() / 1e6,
                            frontend.first.medianWall() / 1e6, frontend.first.medianWall() / q, frontend.first.medianFrontendCpu() / 1e6,
                            frontend.first.medianBackendCpu() / 1e6, frontend.warm.medianWall() / 1e6, frontend.warm.medianWall() / q,
                            frontend.warm.medianFrontendCpu() / 1e6, frontend.afterBlock.medianWall() / 1e6, frontend.afterBlock.medianWall() / q));
                }
            }
            report.forEach(System.out::println);
            Files.write(ServiceProcess.rootDirectory().resolve("tests/integration/target/query-frontend-bench.txt"), report);
        }
    }

    /** One frontend under test and its figures. */
    private static final class Frontend {
        final String name;
        final String url;
        final ServiceProcess process;
        Phase first;
        Phase warm;
        Phase afterBlock;

        Frontend(String name, String url, ServiceProcess process) {
            this.name = name;
            this.url = url;
            this.process = process;
        }
    }

    private static List<ServiceProcess> processesOf(List<Frontend> frontends, Frontend except) {
        return frontends.stream().filter(frontend -> frontend != except).map(frontend -> frontend.process).toList();
    }

    private Frontend startFrontend(ServiceProcess.Group processes, String name, Path jar, String parallelism, String querier,
                                   String cacheConfig, KafkaFixture kafka, String topic) throws IOException {
        int port = ServiceProcess.freePort();
        List<String> properties = new ArrayList<>(List.of(
                "-Dgauntlet.query-frontend.downstream-url=" + querier, "-Dgauntlet.query-frontend.downstream-timeout=10m",
                "-Dgauntlet.query-frontend.response-cache-config=" + cacheConfig,
                "-Dgauntlet.query-frontend.replica-labels=prometheus_replica",
                "-Dgauntlet.query-frontend.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dgauntlet.query-frontend.kafka.topic=" + topic));
        if (!parallelism.isEmpty()) {
            properties.add("-Dgauntlet.query-frontend.max-query-parallelism=" + parallelism);
        }
        ServiceProcess process = processes.add(ServiceProcess.startJar(jar, name, work, port, withProfile(name, properties), java.util.Map.of()));
        String url = "http://127.0.0.1:" + port;
        await(name + "'s events flow").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ServiceProcess.get(url + "/metrics").body().contains("gauntlet_query_frontend_block_events_live 1.0"));
        return new Frontend(name, url, process);
    }

    /** The runs of one kind: wall time of the dashboard, CPU of the querier and gateway, CPU of the frontend. */
    private static final class Phase {
        final String name;
        final List<Long> wall = new ArrayList<>();
        final List<Long> backendCpu = new ArrayList<>();
        final List<Long> frontendCpu = new ArrayList<>();

        Phase(String name) {
            this.name = name;
        }

        /** @param idle the frontends not asked meanwhile: their CPU is what a frontend uses doing nothing (Kafka, JIT, GC) */
        String measure(ExecutorService panels, String base, long start, long end, long step, String extra, List<ServiceProcess> backend,
                       ServiceProcess frontend, List<ServiceProcess> idle) throws Exception {
            long backendBefore = cpu(backend);
            long frontendBefore = frontend == null ? 0 : frontend.cpuTime().toNanos();
            long idleBefore = cpu(idle);
            long took = dashboard(panels, base, start, end, step, extra);
            wall.add(took);
            backendCpu.add(cpu(backend) - backendBefore);
            frontendCpu.add(frontend == null ? 0 : frontend.cpuTime().toNanos() - frontendBefore);
            long idleCpu = cpu(idle) - idleBefore;
            String line = String.format("%s: %d ms, querier+gateway CPU %d ms%s%s | %s", name, took / 1_000_000, backendCpu.getLast() / 1_000_000,
                    frontend == null ? "" : ", frontend CPU " + frontendCpu.getLast() / 1_000_000 + " ms",
                    idle.isEmpty() ? "" : " (an idle frontend meanwhile " + idleCpu / idle.size() / 1_000_000 + " ms)", uptime());
            System.out.println(line);
            return line;
        }

        double medianWall() {
            return median(wall);
        }

        double medianBackendCpu() {
            return median(backendCpu);
        }

        double medianFrontendCpu() {
            return median(frontendCpu);
        }

        private static long cpu(List<ServiceProcess> processes) {
            long total = 0;
            for (ServiceProcess process : processes) {
                total += process.cpuTime().toNanos();
            }
            return total;
        }
    }

    /** Wall time of the 8 panels loaded at once; every answer must be a non-empty success. */
    private static long dashboard(ExecutorService panels, String base, long start, long end, long step, String extra) throws Exception {
        long started = System.nanoTime();
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (String query : DASHBOARD) {
            String path = "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + start / 1000
                    + "&end=" + end / 1000 + "&step=" + step / 1000 + "&dedup=true&partial_response=true" + extra;
            answers.add(panels.submit(() -> HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString())));
        }
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).doesNotContain("\"result\":[]");
        }
        return System.nanoTime() - started;
    }

    /** A real 2h block of replica a with one new series written into the bucket, then its event (as the shipper does). */
    private static void newBlock(KafkaFixture kafka, String topic, Path bucket, long from, long to, int run) throws Exception {
        int n = (int) ((to - from) / MINUTE);
        long[] timestamps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            timestamps[i] = from + i * MINUTE;
            values[i] = 20 + i % 7;
        }
        Labels external = Labels.of("cluster", "local", "prometheus_replica", "a");
        Path block = new SampleSet(List.of(new SampleSet.Series(Labels.of("__name__", "node_load1", "instance", "new-node-" + run,
                "job", "node"), timestamps, values))).writeBlock(bucket, from, to, java.util.Map.of("cluster", "local", "prometheus_replica", "a"));
        String ulid = block.getFileName().toString();
        try (BlockEventPublisher publisher = BlockEventPublisher.create(new HashMap<>(kafka.clientConfig()), topic)) {
            publisher.publish(BlockEvent.of(BlockEventType.UPLOADED, ulid, from, to, external, 0, 1, List.of(ulid), BlockStats.EMPTY,
                    "gauntlet/bench")).get();
        }
    }

    private static void awaitEvents(String frontend, int count) {
        await("the frontend got the block event").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ServiceProcess.get(frontend + "/metrics").body().lines()
                        .filter(line -> line.startsWith("gauntlet_query_frontend_block_events_total{") && line.contains("type=\"uploaded\""))
                        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum() >= count);
    }

    private static double median(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }

    /** {@code uptime}'s line (the machine is shared: every figure comes with its load). */
    private static String uptime() {
        try {
            Process uptime = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String line = new String(uptime.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            uptime.waitFor();
            return line;
        } catch (IOException e) {
            return String.format("load %.1f", load());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.format("load %.1f", load());
        }
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
