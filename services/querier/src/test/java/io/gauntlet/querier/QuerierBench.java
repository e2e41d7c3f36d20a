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
 * Writes target/querier-bench.txt.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "benchInstances", value = "500"))
class QuerierBench {
    private static final long T = TestData.T0 / 1000;
    private static final int WARM_UP_PASSES = 8;
    private static final List<String> PATHS = List.of(
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
            profile(PATHS.get(Integer.parseInt(profiled)));
            return;
        }
        // the JVM compiles hot code during its first seconds of load, Prometheus is compiled ahead of time: both get
        // the same warm-up passes over every query before anything is measured
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            for (String path : PATHS) {
                assertThat(get(querierUrl(), path).status()).as(path).isEqualTo(200);
                get(prometheusUrl(), path);
            }
        }
        StringBuilder report = new StringBuilder("Gauntlet querier -> " + store + String.format(", load average before: %s%n", loadAverage()))
                .append("query | Prometheus median ms | Gauntlet median ms | ratio\n");
        double logSum = 0;
        for (String path : PATHS) {
            for (int i = 0; i < 3; i++) { // warm-up
                assertThat(get(querierUrl(), path).status()).as(path).isEqualTo(200);
                get(prometheusUrl(), path);
            }
            double[] prometheus = new double[15];
            double[] gauntlet = new double[15];
            for (int i = 0; i < 15; i++) {
                prometheus[i] = timed(prometheusUrl(), path);
                gauntlet[i] = timed(querierUrl(), path);
            }
            double p = median(prometheus);
            double g = median(gauntlet);
            logSum += Math.log(g / p);
            report.append(String.format("%s | %.2f | %.2f | %.2f%n", java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll("&.*", "").replace("/api/v1/", ""), p, g, g / p));
        }
        report.append(String.format("geometric mean of Gauntlet/Prometheus: %.2f%n", Math.exp(logSum / PATHS.size())));
        double prometheusQps = throughput(prometheusUrl());
        double gauntletQps = throughput(querierUrl());
        report.append(String.format("throughput, 16 clients, 10 s: Prometheus %.0f q/s, Gauntlet %.0f q/s%n", prometheusQps, gauntletQps));
        long pid = ConfigProvider.getConfig().getValue("test.prometheus-pid", Long.class);
        report.append(String.format("RSS after load: Prometheus %d MiB; Gauntlet test JVM (querier + store + test harness) %d MiB, heap used %d MiB%n",
                rssMiB("/proc/" + pid + "/status"), rssMiB("/proc/self/status"),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20));
        report.append(String.format("load average after: %s%n", loadAverage()));
        Files.writeString(Path.of("target", reportFile), report);
        System.out.println(report);
    }

    /**
     * Profiling mode ({@code -Dquerier.bench.profile=<query index>}): one query for 20 s, alternately against
     * Prometheus and the querier, under a JFR recording written to target/querier-profile.jfr; prints both medians.
     */
    private static void profile(String path) throws IOException {
        for (int i = 0; i < 20; i++) {
            get(querierUrl(), path);
            get(prometheusUrl(), path);
        }
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            recording.start();
            long end = System.nanoTime() + 20_000_000_000L;
            List<Double> prometheus = new java.util.ArrayList<>();
            List<Double> gauntlet = new java.util.ArrayList<>();
            while (System.nanoTime() < end) {
                prometheus.add(timed(prometheusUrl(), path));
                gauntlet.add(timed(querierUrl(), path));
            }
            recording.stop();
            recording.dump(Path.of("target", "querier-profile.jfr"));
            System.out.printf("profiled %s: %d runs each, median Prometheus %.2f ms, Gauntlet %.2f ms%n", path, gauntlet.size(),
                    median(prometheus.stream().mapToDouble(Double::doubleValue).toArray()),
                    median(gauntlet.stream().mapToDouble(Double::doubleValue).toArray()));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double timed(String base, String path) {
        long started = System.nanoTime();
        assertThat(get(base, path).status()).isEqualTo(200);
        return (System.nanoTime() - started) / 1e6;
    }

    private static double median(double[] values) {
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

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static long rssMiB(String status) throws IOException {
        for (String line : Files.readAllLines(Path.of(status))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
            }
        }
        return -1;
    }

}
