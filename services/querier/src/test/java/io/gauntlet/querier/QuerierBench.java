package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Gauntlet querier (→ one in-memory StoreAPI store) vs Prometheus 2.42 on its local TSDB, same data (500 instances:
 * 3,000 series × 480 samples), both over HTTP: per-query median latency, geometric mean of the ratios, throughput
 * with 16 concurrent clients, memory. Not part of the test run: {@code mvn -pl services/querier test -Dtest=QuerierBench}.
 * Writes target/querier-bench.txt. {@code -Dquerier.bench.sections=small,day} (any of memory, table, small, day,
 * throughput) runs only those parts after the warm-up.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "benchInstances", value = "500"), @ResourceArg(name = "benchDayInstances", value = "8")})
class QuerierBench {
    private static final long T = TestData.T0 / 1000;
    private static final long MIN_WARM_UP_NANOS = 60_000_000_000L;
    private static final long WARM_UP_LIMIT_NANOS = 150_000_000_000L;
    private static final int RUNS = 15;
    static final List<String> PATHS = List.of(
            instant("http_requests_total{instance=\"i7\"}"),
            instant("rate(http_requests_total[5m])"),
            instant("sum by (job) (rate(http_requests_total[5m]))"),
            instant("topk(5, avg_over_time(node_temperature_celsius[30m]))"),
            instant("quantile(0.9, node_temperature_celsius)"),
            instant("count(http_requests_total) by (code)"),
            range("sum by (job) (rate(http_requests_total[5m]))"),
            range("max(node_temperature_celsius)"),
            range("rate(http_requests_total{instance=~\"i1.\"}[5m])"),
            range("histogram_quantile(0.9, sum by (le) (label_replace(rate(http_requests_total[5m]), \"le\", \"$1\", \"code\", \"(.).*\")))"));

    /** Heavy range queries over the node_exporter-like day ({@link TestData#nodeExporterDay}), a dashboard's day at 60 s. */
    static final List<String> DAY_PATHS = List.of(
            day("rate(node_network_receive_bytes_total[5m])"),
            day("sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))"),
            day("1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))"),
            day("topk(5, sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])))"),
            day("sum by (device) (rate(node_network_receive_bytes_total[5m]))"),
            day("irate(node_cpu_seconds_total{mode=\"user\"}[5m])"),
            day("avg_over_time(node_load1[1h])"),
            day("max by (instance) (node_load1)"));

    private static String day(String query) {
        long start = TestData.DAY_START / 1000;
        return "/api/v1/query_range?query=" + encode(query) + "&start=" + start + "&end=" + (start + 86_400) + "&step=60";
    }

    private static String instant(String query) {
        return "/api/v1/query?query=" + encode(query) + "&time=" + (T + 3600);
    }

    private static String range(String query) {
        return "/api/v1/query_range?query=" + encode(query) + "&start=" + T + "&end=" + (T + 7200) + "&step=60";
    }

    @Test
    void gauntletVersusPrometheus() throws Exception {
        compare("in-memory store", "querier-bench.txt");
    }

    /** Runs the comparison against the store the test resource started; writes target/{@code reportFile}. */
    static void compare(String store, String reportFile) throws Exception {
        Assumptions.assumeFalse(prometheusUrl().isEmpty(), "Prometheus 2.42 not installed");
        QuerierTesting.awaitStoresHealthy(1);
        String profiled = System.getProperty("querier.bench.profile", "");
        if (!profiled.isEmpty()) {
            // a comma-separated list; "dayN": the node_exporter-like day's query N
            for (String name : profiled.split(",")) {
                profile(name.startsWith("day") ? DAY_PATHS.get(Integer.parseInt(name.substring(3))) : PATHS.get(Integer.parseInt(name)),
                        Path.of("target", "querier-profile-" + name + ".jfr"));
            }
            return;
        }
        java.util.Set<String> sections = java.util.Set.of(System.getProperty("querier.bench.sections", "memory,table,small,day,throughput").split(","));
        String memory = sections.contains("memory") ? peakMemory(PATHS.getLast(), prometheusPid()) : "";
        // the JVM compiles hot code for a minute or more on these busy cores, Prometheus is compiled ahead of time: both
        // get the same warm-up passes over every query, for at least a minute and until the JIT has settled (a pass
        // compiles for under 50 ms)
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long warmUpStart = System.nanoTime();
        long warmUpEnd = warmUpStart + WARM_UP_LIMIT_NANOS;
        int passes = 0;
        long compiled;
        do {
            long before = jit.getTotalCompilationTime();
            // the day's queries too when they are measured: their code paths (irate, the day's selectors) are not the table's
            for (String path : sections.contains("day") ? java.util.stream.Stream.concat(PATHS.stream(), DAY_PATHS.stream()).toList() : PATHS) {
                assertThat(get(querierUrl(), path).status()).as(path).isEqualTo(200);
                get(prometheusUrl(), path);
            }
            compiled = jit.getTotalCompilationTime() - before;
            passes++;
        } while ((System.nanoTime() - warmUpStart < MIN_WARM_UP_NANOS || compiled > 50) && System.nanoTime() < warmUpEnd);
        double warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;
        long jitBefore = jit.getTotalCompilationTime();
        long prometheusPid = prometheusPid();
        StringBuilder report = new StringBuilder("Gauntlet querier -> " + store + String.format(", load average before: %s%n", loadAverage()))
                .append("query | Prometheus median ms | Gauntlet median ms | ratio | Prometheus CPU ms | Gauntlet CPU ms | CPU ratio\n");
        double logSum = 0;
        double cpuLogSum = 0;
        for (String path : sections.contains("table") ? PATHS : List.<String>of()) {
            for (int i = 0; i < 3; i++) { // warm-up
                assertThat(get(querierUrl(), path).status()).as(path).isEqualTo(200);
                get(prometheusUrl(), path);
            }
            double[] prometheus = new double[RUNS];
            double[] gauntlet = new double[RUNS];
            // CPU time, which the machine's load does not stretch: Prometheus' threads while it answers, and this JVM's
            // while the querier answers minus while Prometheus answers (the HTTP client's own share, the same for both)
            long prometheusCpu = 0;
            long clientCpu = 0;
            long gauntletCpu = 0;
            for (int i = 0; i < RUNS; i++) {
                long jvm = jvmCpuNanos();
                long server = processCpuNanos(prometheusPid);
                prometheus[i] = timed(prometheusUrl(), path);
                prometheusCpu += processCpuNanos(prometheusPid) - server;
                clientCpu += jvmCpuNanos() - jvm;
                jvm = jvmCpuNanos();
                gauntlet[i] = timed(querierUrl(), path);
                gauntletCpu += jvmCpuNanos() - jvm;
            }
            double p = median(prometheus);
            double g = median(gauntlet);
            double pc = prometheusCpu / 1e6 / RUNS;
            double gc = Math.max(0, gauntletCpu - clientCpu) / 1e6 / RUNS;
            logSum += Math.log(g / p);
            cpuLogSum += Math.log(gc / pc);
            report.append(String.format("%s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f%n", java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll("&.*", "").replace("/api/v1/", ""), p, g, g / p, pc, gc, gc / pc));
        }
        if (sections.contains("table")) {
            report.append(String.format("geometric mean of Gauntlet/Prometheus CPU time per query: %.2f%n", Math.exp(cpuLogSum / PATHS.size())));
        }
        report.append(String.format("warm-up: %d passes over the queries in %.0f s (the last one compiled for %d ms); JIT compilation during the measurement: %d ms%n",
                passes, warmUpSeconds, compiled, jit.getTotalCompilationTime() - jitBefore));
        if (sections.contains("table")) {
            report.append(String.format("geometric mean of Gauntlet/Prometheus: %.2f%n", Math.exp(logSum / PATHS.size())));
        }
        report.append(sections.contains("small") ? smallAndWide() : "");
        report.append(sections.contains("day") ? nodeExporterDay() : "");
        report.append(memory);
        if (sections.contains("throughput")) {
            double prometheusQps = throughput(prometheusUrl());
            double gauntletQps = throughput(querierUrl());
            report.append(String.format("throughput, 16 clients, 10 s: Prometheus %.0f q/s, Gauntlet %.0f q/s%n", prometheusQps, gauntletQps));
        }
        report.append(String.format("RSS after load: Prometheus %d MiB; Gauntlet test JVM (querier + store + test harness) %d MiB, heap used %d MiB%n",
                rssMiB("/proc/" + prometheusPid + "/status"), rssMiB("/proc/self/status"),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20));
        report.append(String.format("load average after: %s%n", loadAverage()));
        Files.writeString(Path.of("target", reportFile), report);
        System.out.println(report);
    }

    /**
     * 100 one-selector queries (one series or five, instant and 2 h at 60 s), where a fixed cost per request shows, and
     * a sum of 200 identical selectors, where a cost per selector shows: medians of alternating runs, geometric mean.
     */
    private static String smallAndWide() {
        List<String> small = new java.util.ArrayList<>();
        for (int n = 0; n < 25; n++) {
            for (String selector : List.of("node_temperature_celsius{instance=\"i" + (n * 19) + "\"}",
                    "http_requests_total{instance=\"i" + (n * 7 + 3) + "\"}")) {
                small.add(instant(selector));
                small.add(range(selector));
            }
        }
        for (int pass = 0; pass < 3; pass++) { // the JIT meets these paths for the first time
            for (String path : small) {
                timed(querierUrl(), path);
                timed(prometheusUrl(), path);
            }
        }
        double logSum = 0;
        double[] ratios = new double[small.size()];
        for (int q = 0; q < small.size(); q++) {
            double[] prometheus = new double[5];
            double[] gauntlet = new double[5];
            for (int i = 0; i < 5; i++) {
                prometheus[i] = timed(prometheusUrl(), small.get(q));
                gauntlet[i] = timed(querierUrl(), small.get(q));
            }
            ratios[q] = median(gauntlet) / median(prometheus);
            logSum += Math.log(ratios[q]);
        }
        String wide = instant(String.join(" + ", java.util.Collections.nCopies(200, "http_requests_total{instance=\"i7\"}")));
        for (int i = 0; i < 3; i++) {
            timed(querierUrl(), wide);
            timed(prometheusUrl(), wide);
        }
        double[] prometheus = new double[9];
        double[] gauntlet = new double[9];
        for (int i = 0; i < 9; i++) {
            prometheus[i] = timed(prometheusUrl(), wide);
            gauntlet[i] = timed(querierUrl(), wide);
        }
        return String.format("one-selector queries (%d, instant and range): geometric mean of Gauntlet/Prometheus %.2f, "
                + "median ratio %.2f, load average %s%n200-term sum of http_requests_total{instance=\"i7\"} (5 series each): "
                + "Prometheus %.2f ms, Gauntlet %.2f ms, ratio %.2f%n", small.size(), Math.exp(logSum / small.size()),
                median(ratios), loadAverageUnchecked(), median(prometheus), median(gauntlet), median(gauntlet) / median(prometheus));
    }

    private static long prometheusPid() {
        return ConfigProvider.getConfig().getValue("test.prometheus-pid", Long.class);
    }

    /**
     * The node_exporter-like day: each query 3 warm-up runs, then 5 alternating runs per side; medians, geometric mean.
     */
    private static String nodeExporterDay() {
        StringBuilder out = new StringBuilder(String.format("node_exporter-like day (%s series): query | Prometheus ms | Gauntlet ms | ratio, load average %s%n",
                Integer.getInteger("querier.bench.day-instances", 8) * 19, loadAverageUnchecked()));
        double logSum = 0;
        for (String path : DAY_PATHS) {
            for (int i = 0; i < 3; i++) {
                timed(querierUrl(), path);
                timed(prometheusUrl(), path);
            }
            double[] prometheus = new double[5];
            double[] gauntlet = new double[5];
            for (int i = 0; i < 5; i++) {
                prometheus[i] = timed(prometheusUrl(), path);
                gauntlet[i] = timed(querierUrl(), path);
            }
            double ratio = median(gauntlet) / median(prometheus);
            logSum += Math.log(ratio);
            out.append(String.format("  %s | %.2f | %.2f | %.2f%n", java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll("&.*", "").replace("/api/v1/query_range?query=", ""), median(prometheus), median(gauntlet), ratio));
        }
        return out.append(String.format("node_exporter-like day: geometric mean of Gauntlet/Prometheus %.2f, load average after %s%n",
                Math.exp(logSum / DAY_PATHS.size()), loadAverageUnchecked())).toString();
    }

    /**
     * Memory of one cold run of a query on each side, before any warm-up: Prometheus' RSS growth (VmRSS after minus
     * before), and this JVM's peak heap above the heap in use after a full GC (sum of the heap pools' peaks, an upper
     * bound: it holds the store's and the HTTP client's allocations and garbage not yet collected too).
     */
    private static String peakMemory(String path, long prometheusPid) throws IOException {
        String status = "/proc/" + prometheusPid + "/status";
        long rssBefore = rssKiB(status);
        timed(prometheusUrl(), path);
        long rssGrowth = rssKiB(status) - rssBefore;
        System.gc();
        long baseline = 0;
        List<java.lang.management.MemoryPoolMXBean> heap = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP).toList();
        for (var pool : heap) {
            baseline += pool.getUsage().getUsed();
            pool.resetPeakUsage();
        }
        timed(querierUrl(), path);
        long peak = 0;
        for (var pool : heap) {
            peak += pool.getPeakUsage().getUsed();
        }
        return String.format("memory of one cold run of %s: Prometheus RSS growth %.1f MiB; Gauntlet peak heap above the post-GC baseline %.1f MiB%n",
                java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8).replaceAll("&.*", ""), rssGrowth / 1024.0,
                (peak - baseline) / 1048576.0);
    }

    private static long rssKiB(String status) throws IOException {
        for (String line : Files.readAllLines(Path.of(status))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static String loadAverageUnchecked() {
        try {
            return loadAverage();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Profiling mode ({@code -Dquerier.bench.profile=<query index>}, or {@code day<index>} for the day's queries): after 40 s of warm-up, one query for 20 s, alternately against
     * Prometheus and the querier, under a JFR recording written to target/querier-profile-<name>.jfr; prints both medians.
     */
    private static void profile(String path, Path recordingFile) throws IOException {
        long warmUpEnd = System.nanoTime() + 40_000_000_000L; // the JIT takes this long to settle on busy cores
        while (System.nanoTime() < warmUpEnd) {
            get(querierUrl(), path);
            get(prometheusUrl(), path);
        }
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            recording.start();
            Map<String, Long> threadsBefore = threadCpuNanos();
            long end = System.nanoTime() + 20_000_000_000L;
            List<Double> prometheus = new java.util.ArrayList<>();
            List<Double> gauntlet = new java.util.ArrayList<>();
            while (System.nanoTime() < end) {
                prometheus.add(timed(prometheusUrl(), path));
                gauntlet.add(timed(querierUrl(), path));
            }
            recording.stop();
            Map<String, Long> threadsAfter = threadCpuNanos();
            threadsAfter.replaceAll((thread, nanos) -> nanos - threadsBefore.getOrDefault(thread, 0L));
            threadsAfter.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                    .forEach(e -> System.out.printf("  CPU %-40s %8.3f ms per query pair%n", e.getKey(), e.getValue() / 1e6 / gauntlet.size()));
            recording.dump(recordingFile);
            System.out.printf("profiled %s: %d runs each, median Prometheus %.2f ms, Gauntlet %.2f ms%n", path, gauntlet.size(),
                    median(prometheus.stream().mapToDouble(Double::doubleValue).toArray()),
                    median(gauntlet.stream().mapToDouble(Double::doubleValue).toArray()));
            // where the querier's time went: inside the handler, and in the store calls, as its own metrics saw it
            for (String line : get(querierUrl(), "/metrics").body().split("\n")) {
                if (line.startsWith("http_request_duration_seconds_sum{handler=\"query") || line.startsWith("http_request_duration_seconds_count{handler=\"query")
                        || line.startsWith("gauntlet_querier_store_call_duration_seconds_sum") || line.startsWith("gauntlet_querier_store_call_duration_seconds_count")) {
                    System.out.println(line);
                }
            }
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    static double timed(String base, String path) {
        long started = System.nanoTime();
        assertThat(get(base, path).status()).isEqualTo(200);
        return (System.nanoTime() - started) / 1e6;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double throughput(String base) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + 10_000_000_000L;
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            for (int c = 0; c < 16; c++) {
                int offset = c;
                clients.submit(() -> {
                    for (int i = offset; System.nanoTime() < end; i++) {
                        if (get(base, PATHS.get(i % PATHS.size())).status() == 200) {
                            done.incrementAndGet();
                        }
                    }
                });
            }
        }
        return done.get() / 10.0;
    }

    /**
     * This JVM's CPU time from schedstat (its own process CPU time only moves in 10 ms ticks), without the JIT
     * compiler threads: under this load they are still compiling long after warm-up, in the background of every
     * request; the report gives their total separately.
     */
    static long jvmCpuNanos() throws IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        String schedstat = Files.readString(task.resolve("schedstat"));
                        total += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // the thread ended between listing and reading
                }
            }
        }
        return total;
    }

    /** Time on CPU of every thread of a process, in ns (the first field of each thread's schedstat). */
    private static long processCpuNanos(long pid) throws IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    total += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                } catch (java.nio.file.NoSuchFileException e) {
                    // the thread ended between listing and reading
                }
            }
        }
        return total;
    }

    /** CPU time per thread name (numbers folded) of this JVM. */
    private static Map<String, Long> threadCpuNanos() throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("\\d+", "N");
                    out.merge(name, Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))), Long::sum);
                } catch (java.nio.file.NoSuchFileException e) {
                    // the thread ended between listing and reading
                }
            }
        }
        return out;
    }

    static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static long rssMiB(String status) throws IOException {
        return rssKiB(status) >> 10;
    }

}
