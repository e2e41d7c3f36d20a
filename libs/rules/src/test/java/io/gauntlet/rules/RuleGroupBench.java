package io.gauntlet.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.rules.storage.RuleStorage;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockQuerier;
import io.gauntlet.tsdb.block.BlockReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One group of 200 recording rules over 10,000 series (100 metrics × 100 series, 1 h of 15 s samples ending now), the
 * same blocks (promtool's backfill) for both: Prometheus 2.42 evaluating the group every 10 s (its
 * prometheus_rule_group_last_duration_seconds, median of 15 evaluations), and {@link RuleGroup#evaluate} with the engine
 * over those blocks writing into {@link RuleStorage} (median of 15 after warm-up). Not part of the test run:
 * {@code mvn -pl libs/rules test -Dtest=RuleGroupBench}; prints the figures and the machine load, target ≤ 1.5×.
 */
class RuleGroupBench {
    private static final int METRICS = 100;
    private static final int SERIES_PER_METRIC = 100;
    private static final long STEP = 15_000;
    private static final int RUNS = 15;

    @Test
    void twoHundredRulesOverTenThousandSeries(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prometheus")), "Prometheus 2.42 is not installed");
        long now = System.currentTimeMillis() / STEP * STEP;
        long start = now - 3600_000;
        StringBuilder openMetrics = new StringBuilder();
        for (int m = 0; m < METRICS; m++) {
            openMetrics.append("# TYPE bench_requests_").append(m).append(" counter\n");
            for (int s = 0; s < SERIES_PER_METRIC; s++) {
                for (long t = start; t <= now; t += STEP) {
                    openMetrics.append("bench_requests_").append(m).append("_total{instance=\"i").append(s).append("\",job=\"j")
                            .append(s % 10).append("\"} ").append((t - start) / STEP * (s + 1)).append(' ').append(t / 1000).append('\n');
                }
            }
        }
        openMetrics.append("# EOF\n");
        Path input = work.resolve("input.om");
        Files.writeString(input, openMetrics);
        Path data = work.resolve("prometheus");
        Process create = new ProcessBuilder("/usr/bin/promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", input.toString(),
                data.toString()).redirectErrorStream(true).start();
        String createOutput = new String(create.getInputStream().readAllBytes());
        assertThat(create.waitFor()).as(createOutput).isZero();
        Files.delete(input);

        StringBuilder rules = new StringBuilder("groups:\n  - name: bench\n    interval: 10s\n    rules:\n");
        for (int m = 0; m < METRICS; m++) {
            rules.append("      - record: job:bench_requests_").append(m).append(":rate5m\n        expr: sum by (job) (rate(bench_requests_")
                    .append(m).append("_total[5m]))\n");
            rules.append("      - record: bench_requests_").append(m).append(":max\n        expr: max(bench_requests_").append(m).append("_total)\n");
        }
        Path ruleFile = work.resolve("rules.yml");
        Files.writeString(ruleFile, rules);

        // Gauntlet: the same blocks, the same group, ending at the same time
        List<BlockReader> readers = new ArrayList<>();
        try (Stream<Path> list = Files.list(data)) {
            for (Path block : list.filter(p -> Files.exists(p.resolve("meta.json"))).toList()) {
                readers.add(BlockReader.open(block));
            }
        }
        double gauntletMedian;
        try (RuleStorage storage = RuleStorage.open(work.resolve("ruler"), Labels.of("rule_replica", "bench"), RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            RuleManager manager = new RuleManager(RuleManager.Options.defaults(List.of(), Labels.EMPTY), null, null, null, null,
                    RuleMetrics.detached());
            RuleGroup group = manager.build(RuleFileParser.parse(ruleFile.toString(), rules.toString()).groups().getFirst(), true);
            RuleQuerier querier = new EngineRuleQuerier(new PromqlEngine(), BlockQuerier.queryable(readers));
            double[] nanos = new double[RUNS];
            for (int warm = 0; warm < 10; warm++) {
                group.evaluate(now - 600_000 + warm * 10_000L, querier, storage.appender(), RuleGroup.AlertSink.NONE, 60_000, RuleMetrics.detached());
            }
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                group.evaluate(now - 450_000 + i * 10_000L, querier, storage.appender(), RuleGroup.AlertSink.NONE, 60_000, RuleMetrics.detached());
                nanos[i] = System.nanoTime() - t0;
            }
            for (Rule rule : group.rules()) {
                assertThat(rule.status().lastError()).isEmpty();
            }
            assertThat(storage.stats().headSeries()).isEqualTo(METRICS * 11);
            Arrays.sort(nanos);
            gauntletMedian = nanos[RUNS / 2] / 1e6;
        } finally {
            readers.forEach(BlockReader::close);
        }

        // Prometheus 2.42 on the same data directory, evaluating the same file every 10 s
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(work.resolve("prometheus.yml"), "global:\n  evaluation_interval: 10s\nrule_files: [" + ruleFile + "]\n");
        Process prometheus = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=100y",
                "--log.level=warn").redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        List<Double> prometheusDurations = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newHttpClient();
            Pattern last = Pattern.compile("prometheus_rule_group_last_duration_seconds\\{[^}]*} (\\S+)");
            Pattern evaluation = Pattern.compile("prometheus_rule_group_last_evaluation_timestamp_seconds\\{[^}]*} (\\S+)");
            String[] seen = {""};
            Awaitility.await().atMost(java.time.Duration.ofMinutes(6)).pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                String metrics;
                try {
                    metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException e) {
                    return false;
                }
                Matcher when = evaluation.matcher(metrics);
                Matcher duration = last.matcher(metrics);
                if (when.find() && duration.find() && !when.group(1).equals(seen[0]) && Double.parseDouble(when.group(1)) > 0) {
                    seen[0] = when.group(1);
                    prometheusDurations.add(Double.parseDouble(duration.group(1)) * 1000);
                }
                return prometheusDurations.size() >= RUNS + 2;
            });
        } finally {
            prometheus.destroy();
            prometheus.waitFor(20, TimeUnit.SECONDS);
        }
        List<Double> measured = new ArrayList<>(prometheusDurations.subList(2, prometheusDurations.size())); // first ones load the blocks
        measured.sort(Double::compare);
        double prometheusMedian = measured.get(measured.size() / 2);
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        String report = String.format("RuleGroupBench: 200 rules over %d series: Gauntlet median %.1f ms, Prometheus 2.42 median %.1f ms, "
                + "ratio %.2f (target <= 1.5); load average %s%n", METRICS * SERIES_PER_METRIC, gauntletMedian, prometheusMedian,
                gauntletMedian / prometheusMedian, load);
        System.out.print(report);
        Files.writeString(Path.of("target/rule-group-bench.txt"), report, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }
}
