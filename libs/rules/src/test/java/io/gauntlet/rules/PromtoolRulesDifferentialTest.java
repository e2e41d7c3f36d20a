package io.gauntlet.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.rules.template.GoFmt;
import io.gauntlet.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential against Prometheus 2.42's own rule engine: the same rule file evaluated over the same synthetic
 * series (counters with resets, gaps, a series that ends, flapping conditions) by {@link RuleGroup} and by
 * {@code promtool test rules}, both from time 0 every minute. Gauntlet's outputs at every evaluation — recorded samples
 * (values and timestamps), {@code ALERTS}, {@code ALERTS_FOR_STATE}, firing alerts with their expanded labels and
 * annotations — are written as promtool's expectations; promtool passing means Prometheus computed the same.
 */
class PromtoolRulesDifferentialTest {
    private static final long MINUTE = 60_000;
    private static final int STEPS = 150;

    static final String RULES = """
            groups:
              - name: diff
                rules:
                  - record: job:http_requests:rate5m
                    expr: sum by (job) (rate(http_requests_total[5m]))
                  - record: instance:http_requests:increase10m
                    expr: increase(http_requests_total[10m])
                    labels:
                      source: recorded
                  - record: queue:depth:max
                    expr: max(queue_depth)
                  - record: queue:depth_over_10
                    expr: queue_depth > 10
                  - record: queue:scalar
                    expr: scalar(sum(queue_depth)) * 2
                  - alert: QueueTooDeep
                    expr: queue_depth > 10
                    for: 5m
                    labels:
                      severity: '{{ if gt $value 20.0 }}critical{{ else }}warning{{ end }}'
                    annotations:
                      summary: 'Queue {{ $labels.queue }} is {{ $value | humanize }} deep'
                      description: '{{ printf "%.2f" $value }} items; total {{ with query "sum(queue_depth)" }}{{ . | first | value | humanize }}{{ end }}'
                  - alert: InstanceDown
                    expr: up == 0
                    for: 3m
                    keep_firing_for: 2m
                    labels:
                      severity: page
                    annotations:
                      summary: '{{ $labels.instance }} of {{ $labels.job }} down, threshold {{ humanizeDuration 180 }}'
                      count: '{{ range $i, $s := query "up == 0" }}{{ $i }}:{{ label "instance" $s }} {{ end }}'
                  - alert: HighRate
                    expr: job:http_requests:rate5m > 0.08
                    labels:
                      team: '{{ $labels.job | toUpper }}'
                    annotations:
                      rate: '{{ $value | printf "%.4f" }} {{ humanizePercentage $value }}'
            """;

    @Test
    void sameOutputsAsPrometheus(@TempDir Path directory) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool is not installed (./gauntlet test installs it)");
        Map<String, String> inputs = syntheticSeries(new Random(42));
        InMemoryQueryable storage = new InMemoryQueryable();
        inputs.forEach((series, values) -> load(storage, series, values));

        RuleFileParser.Result parsed = RuleFileParser.parse("rules.yml", RULES);
        assertThat(parsed.errors()).isEmpty();
        RuleManager manager = new RuleManager(RuleManager.Options.defaults(List.of(), Labels.EMPTY), null, null, null, null,
                RuleMetrics.detached());
        RuleGroup group = manager.build(parsed.groups().getFirst(), true);
        PromqlEngine engine = new PromqlEngine();
        RuleQuerier querier = new EngineRuleQuerier(engine, storage);
        SampleAppender appender = new SampleAppender() {
            @Override
            public boolean append(Labels labels, long timestampMillis, double value) {
                storage.append(labels, timestampMillis, value);
                return true;
            }

            @Override
            public void commit() {
            }
        };

        StringBuilder exprTests = new StringBuilder();
        StringBuilder alertTests = new StringBuilder();
        int firing = 0;
        int recorded = 0;
        for (int step = 0; step <= STEPS; step++) {
            long ts = step * MINUTE;
            group.evaluate(ts, querier, appender, RuleGroup.AlertSink.NONE, MINUTE, RuleMetrics.detached());
            for (Rule rule : group.rules()) {
                assertThat(rule.status().lastError()).as(rule.name() + " at " + ts).isEmpty();
            }
            for (String expr : List.of("{__name__=~\"job:.*|instance:.*|queue:.*\"}", "timestamp(job:http_requests:rate5m)",
                    "timestamp(instance:http_requests:increase10m)", "timestamp(queue:depth_over_10)", "timestamp(queue:scalar)",
                    "ALERTS", "ALERTS_FOR_STATE", "timestamp(ALERTS_FOR_STATE)")) {
                VectorResult result = (VectorResult) engine.instantQuery(storage, PromqlParser.parseExpr(expr), ts).value();
                recorded += expr.startsWith("{") ? result.size() : 0;
                exprTests.append("      - expr: '").append(expr).append("'\n        eval_time: ").append(step).append("m\n");
                exprTests.append(result.size() == 0 ? "        exp_samples: []\n" : "        exp_samples:\n");
                for (int i = 0; i < result.size(); i++) {
                    exprTests.append("          - labels: '").append(metric(result.labels(i))).append("'\n            value: ")
                            .append(GoFmt.formatFloat(result.value(i), 'e', -1)).append('\n');
                }
            }
            for (Rule rule : group.rules()) {
                if (!(rule instanceof AlertingRule alerting)) {
                    continue;
                }
                alertTests.append("      - eval_time: ").append(step).append("m\n        alertname: ").append(rule.name()).append('\n');
                List<Alert.Snapshot> fired = alerting.activeAlerts().stream().filter(a -> a.state() == AlertState.FIRING).toList();
                firing += fired.size();
                alertTests.append(fired.isEmpty() ? "        exp_alerts: []\n" : "        exp_alerts:\n");
                for (Alert.Snapshot alert : fired) {
                    alertTests.append("          - exp_labels:\n");
                    alert.labels().forEach((name, value) -> {
                        if (!name.equals(AlertingRule.ALERT_NAME)) {
                            alertTests.append("              ").append(name).append(": ").append(yamlString(value)).append('\n');
                        }
                    });
                    alertTests.append("            exp_annotations:\n");
                    alert.annotations().forEach((name, value) ->
                            alertTests.append("              ").append(name).append(": ").append(yamlString(value)).append('\n'));
                }
            }
        }
        assertThat(firing).as("the data makes alerts fire").isGreaterThan(50);
        assertThat(recorded).as("the rules record series").isGreaterThan(500);

        StringBuilder test = new StringBuilder("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n");
        inputs.forEach((series, values) -> test.append("      - series: '").append(series).append("'\n        values: '").append(values).append("'\n"));
        test.append("    promql_expr_test:\n").append(exprTests).append("    alert_rule_test:\n").append(alertTests);
        Files.writeString(directory.resolve("rules.yml"), RULES);
        Files.writeString(directory.resolve("test.yml"), test.toString());
        Process process = new ProcessBuilder("/usr/bin/promtool", "test", "rules", "test.yml").directory(directory.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output.length() > 20_000 ? output.substring(0, 20_000) : output).isZero();
    }

    private static String metric(Labels labels) {
        StringBuilder out = new StringBuilder(labels.has(Labels.METRIC_NAME) ? labels.get(Labels.METRIC_NAME) : "").append('{');
        boolean[] first = {true};
        labels.forEach((name, value) -> {
            if (!name.equals(Labels.METRIC_NAME)) {
                out.append(first[0] ? "" : ",").append(name).append("=\"").append(value).append('"');
                first[0] = false;
            }
        });
        return out.append('}').toString();
    }

    private static String yamlString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void load(InMemoryQueryable storage, String series, String values) {
        Labels labels = PromqlParser.parseSeriesDescription(series + " 0").labels();
        String[] parts = values.split(" ");
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].equals("_")) {
                storage.append(labels, i * MINUTE, Double.parseDouble(parts[i]));
            }
        }
    }

    /** Counters with a reset and a gap, a counter that ends, flapping gauges and an up series with outages. */
    static Map<String, String> syntheticSeries(Random random) {
        Map<String, String> series = new LinkedHashMap<>();
        series.put("http_requests_total{job=\"api\",instance=\"a\"}", counter(random, STEPS, 70, -1, -1));
        series.put("http_requests_total{job=\"api\",instance=\"b\"}", counter(random, STEPS, -1, 40, 55));
        series.put("http_requests_total{job=\"web\",instance=\"c\"}", counter(random, 100, 30, -1, -1));
        series.put("queue_depth{queue=\"q1\"}", gauge(random, STEPS, 9, 6));
        series.put("queue_depth{queue=\"q2\"}", gauge(random, 120, 16, 8));
        StringBuilder up = new StringBuilder();
        for (int i = 0; i <= STEPS; i++) {
            boolean down = (i >= 20 && i < 27) || (i >= 60 && i < 62) || (i >= 90 && i < 97) || (i >= 99 && i < 101);
            up.append(i == 0 ? "" : " ").append(down ? "0" : "1");
        }
        series.put("up{job=\"api\",instance=\"a\"}", up.toString());
        return new TreeMap<>(series);
    }

    private static String counter(Random random, int steps, int resetAt, int gapFrom, int gapTo) {
        List<String> values = new ArrayList<>();
        long value = random.nextInt(100);
        for (int i = 0; i <= steps; i++) {
            value = i == resetAt ? random.nextInt(5) : value + random.nextInt(12);
            values.add(i >= gapFrom && i < gapTo ? "_" : Long.toString(value));
        }
        return String.join(" ", values);
    }

    private static String gauge(Random random, int steps, int base, int swing) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
            int wave = (i / 9) % 2 == 0 ? swing : -swing;
            values.add(Integer.toString(Math.max(0, base + wave + random.nextInt(5) - 2)));
        }
        return String.join(" ", values);
    }
}
