package io.gauntlet.promql.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryValue;
import io.gauntlet.promql.engine.RangeSeries;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same data in the real Prometheus 2.42 (blocks made by promtool) and in this engine; hundreds of templated
 * instant and range queries must agree: labels and timestamps exactly, values to 1e-9 relative, NaN equal to NaN,
 * and an error where Prometheus gives one.
 */
class PrometheusDifferentialTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long SCRAPE = 15_000;
    private static final int SAMPLES = 720; // three hours

    @TempDir
    Path work;

    private record Sample(long t, double v) {
    }

    /** Series by metric family (families must be contiguous in OpenMetrics). */
    private final Map<String, Map<Labels, List<Sample>>> families = new LinkedHashMap<>();

    private void add(String family, Labels labels, long t, double v) {
        families.computeIfAbsent(family, f -> new LinkedHashMap<>()).computeIfAbsent(labels, l -> new ArrayList<>())
                .add(new Sample(t, v));
    }

    private void generate() {
        Random random = new Random(42);
        // counters with occasional resets and a series that starts late and one that stops early
        for (String job : List.of("api", "web")) {
            for (int instance = 0; instance < 3; instance++) {
                for (String method : List.of("get", "post")) {
                    Labels labels = Labels.of("__name__", "http_requests_total", "job", job, "instance",
                            String.valueOf(instance), "method", method);
                    double value = random.nextInt(100);
                    int from = instance == 2 && method.equals("post") ? 200 : 0;
                    int to = instance == 1 && method.equals("get") ? 500 : SAMPLES;
                    for (int i = from; i < to; i++) {
                        value = random.nextInt(60) == 0 ? random.nextInt(5) : value + random.nextInt(20);
                        add("http_requests_total", labels, T0 + i * SCRAPE, value);
                    }
                }
            }
        }
        // gauges: a random walk around zero, one with gaps longer than the lookback
        for (String room : List.of("a", "b", "c")) {
            Labels labels = Labels.of("__name__", "temperature", "room", room);
            double value = random.nextGaussian() * 10;
            for (int i = 0; i < SAMPLES; i++) {
                value += random.nextGaussian();
                if (room.equals("c") && i % 100 >= 70) {
                    continue;
                }
                add("temperature", labels, T0 + i * SCRAPE, Math.round(value * 1000) / 1000.0);
            }
        }
        // irregular scrapes with jitter and missed scrapes
        for (int instance = 0; instance < 2; instance++) {
            Labels labels = Labels.of("__name__", "jitter", "instance", String.valueOf(instance));
            long t = T0;
            double value = 0;
            while (t < T0 + SAMPLES * SCRAPE) {
                value += random.nextDouble() * 3;
                add("jitter", labels, t, Math.round(value * 100) / 100.0);
                t += 5_000 + random.nextInt(40_000);
            }
        }
        // large values with small increments, where summation order and compensation matter
        for (int i = 0; i < 4; i++) {
            Labels labels = Labels.of("__name__", "big", "i", String.valueOf(i));
            for (int s = 0; s < SAMPLES; s += 4) {
                add("big", labels, T0 + s * SCRAPE, (i % 2 == 0 ? 1e15 : -1e15) + s * 0.25 + i);
            }
        }
        // magnitudes from 1e-8 to 1e12 of both signs, for the math functions (huge arguments of sin/cos/tan too)
        for (int i = 0; i < 3; i++) {
            Labels labels = Labels.of("__name__", "spread", "i", String.valueOf(i));
            for (int s = 0; s < SAMPLES; s += 2) {
                double magnitude = Math.pow(10, random.nextDouble() * 20 - 8);
                add("spread", labels, T0 + s * SCRAPE, (random.nextBoolean() ? 1 : -1) * magnitude);
            }
        }
        // classic histogram buckets
        double[] bounds = {0.1, 0.5, 1, 5, Double.POSITIVE_INFINITY};
        for (String job : List.of("api", "web")) {
            double[] counts = new double[bounds.length];
            for (int i = 0; i < SAMPLES; i++) {
                int observations = random.nextInt(10);
                for (int o = 0; o < observations; o++) {
                    double duration = Math.abs(random.nextGaussian()) * (job.equals("api") ? 0.6 : 2);
                    for (int b = 0; b < bounds.length; b++) {
                        if (duration <= bounds[b]) {
                            counts[b]++;
                        }
                    }
                }
                for (int b = 0; b < bounds.length; b++) {
                    String le = b == bounds.length - 1 ? "+Inf" : String.valueOf(bounds[b]);
                    add("request_duration_seconds_bucket", Labels.of("__name__", "request_duration_seconds_bucket",
                            "job", job, "le", le), T0 + i * SCRAPE, counts[b]);
                }
            }
        }
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v);
    }

    private void writeOpenMetrics(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, Map<Labels, List<Sample>>> family : families.entrySet()) {
                out.write("# TYPE " + family.getKey() + " gauge\n");
                for (Map.Entry<Labels, List<Sample>> series : family.getValue().entrySet()) {
                    StringBuilder labels = new StringBuilder(family.getKey()).append('{');
                    boolean first = true;
                    for (int i = 0; i < series.getKey().size(); i++) {
                        if (series.getKey().name(i).equals(Labels.METRIC_NAME)) {
                            continue;
                        }
                        labels.append(first ? "" : ",").append(series.getKey().name(i)).append("=\"")
                                .append(series.getKey().value(i)).append('"');
                        first = false;
                    }
                    labels.append("} ");
                    for (Sample sample : series.getValue()) {
                        out.write(labels + format(sample.v()) + " " + sample.t() / 1000 + "." + String.format("%03d", sample.t() % 1000) + "\n");
                    }
                }
            }
            out.write("# EOF\n");
        }
    }

    private static List<String> queries() {
        List<String> queries = new ArrayList<>();
        List<String> counters = List.of("http_requests_total", "http_requests_total{job=\"api\"}", "jitter");
        for (String selector : counters) {
            for (String range : List.of("1m", "5m", "17m")) {
                for (String function : List.of("rate", "increase", "irate", "delta", "idelta", "deriv", "changes",
                        "resets")) {
                    queries.add(function + "(" + selector + "[" + range + "])");
                }
            }
        }
        for (String selector : List.of("temperature", "big", "jitter")) {
            for (String function : List.of("avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
                    "count_over_time", "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time")) {
                queries.add(function + "(" + selector + "[10m])");
            }
            queries.add("quantile_over_time(0.3, " + selector + "[10m])");
            queries.add("holt_winters(" + selector + "[10m], 0.3, 0.6)");
            queries.add("predict_linear(" + selector + "[10m], 600)");
            queries.add("absent_over_time(" + selector + "[1m])");
        }
        for (String aggregation : List.of("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar")) {
            queries.add(aggregation + " by (job) (http_requests_total)");
            queries.add(aggregation + " without (instance) (rate(http_requests_total[5m]))");
            queries.add(aggregation + "(big)");
            queries.add(aggregation + "(temperature)");
        }
        queries.add("topk(3, http_requests_total)");
        queries.add("bottomk by (job) (2, http_requests_total)");
        queries.add("quantile by (method) (0.9, rate(http_requests_total[5m]))");
        queries.add("count_values(\"value\", round(temperature))");
        queries.add("count_values without (room) (\"value\", round(temperature))");
        queries.add("histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))");
        queries.add("histogram_quantile(0.5, rate(request_duration_seconds_bucket[10m]))");
        queries.add("histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[1m])))");
        queries.add("http_requests_total / on(job, instance) group_left sum by (job, instance) (http_requests_total)");
        queries.add("sum by (job, instance) (http_requests_total) / on(job, instance) group_right http_requests_total");
        queries.add("http_requests_total{method=\"get\"} / ignoring(method) http_requests_total{method=\"post\"}");
        queries.add("http_requests_total > 1000");
        queries.add("http_requests_total > bool 1000");
        queries.add("1000 < http_requests_total");
        queries.add("temperature and temperature > 0");
        queries.add("temperature or jitter");
        queries.add("http_requests_total unless http_requests_total{method=\"get\"}");
        queries.add("http_requests_total % 7 + 2 ^ 3 - temperature{room=\"a\"} * on() group_left 0");
        queries.add("-temperature");
        queries.add("temperature atan2 on(room) temperature");
        queries.add("big offset 5m");
        queries.add("rate(http_requests_total[5m] offset 10m)");
        queries.add("rate(http_requests_total[5m] offset -10m)");
        queries.add("http_requests_total @ " + (T0 + 3_600_000) / 1000);
        queries.add("rate(http_requests_total[5m] @ " + (T0 + 3_600_000) / 1000 + ")");
        queries.add("sum_over_time(temperature[10m] @ end())");
        queries.add("temperature @ start()");
        queries.add("max_over_time(rate(http_requests_total[1m])[10m:30s])");
        queries.add("max_over_time(rate(http_requests_total[1m])[10m:])");
        queries.add("avg_over_time(temperature[7m:45s] offset 3m)");
        queries.add("sum_over_time(sum by (job) (http_requests_total)[20m:1m] @ " + (T0 + 5_400_000) / 1000 + ")");
        queries.add("predict_linear(temperature[10m] @ " + (T0 + 3_600_000) / 1000 + ", 60)");
        for (String function : List.of("abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "sin",
                "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "deg", "rad",
                "timestamp")) {
            queries.add(function + "(temperature / 10)");
            queries.add(function + "(spread)");
            queries.add(function + "(spread / 1e6)");
        }
        queries.add("exp(spread / 1e10 * 700)");
        queries.add("ln(abs(spread)) + log2(abs(spread))");
        queries.add("abs(spread) ^ 0.37");
        queries.add("spread ^ -1.5");
        queries.add("spread atan2 on(i) (spread offset 1m)");
        queries.add("sort(round(temperature))");
        queries.add("sort_desc(round(http_requests_total / 1000))");
        queries.add("topk(15, round(http_requests_total / 1000))");
        queries.add("bottomk(15, round(http_requests_total / 1000))");
        // machine-generated sizes: deeper than the engine evaluates on the caller's thread
        queries.add(String.join(" + ", java.util.Collections.nCopies(300, "http_requests_total")));
        queries.add("(".repeat(200) + "temperature" + ")".repeat(200) + " * " + "-".repeat(151) + "temperature");
        queries.add("round(temperature, 0.5)");
        queries.add("round(temperature)");
        queries.add("clamp(temperature, -1, 1)");
        queries.add("clamp_min(temperature, 0)");
        queries.add("clamp_max(temperature, 0)");
        queries.add("timestamp(jitter)");
        queries.add("label_replace(temperature, \"floor\", \"level-$1\", \"room\", \"(.*)\")");
        queries.add("label_join(http_requests_total, \"key\", \"/\", \"job\", \"instance\", \"method\")");
        queries.add("absent(nonexistent{job=\"x\"})");
        queries.add("absent(temperature)");
        queries.add("scalar(sum(temperature))");
        queries.add("vector(time())");
        queries.add("time() - timestamp(jitter)");
        for (String function : List.of("hour", "minute", "month", "year", "day_of_month", "day_of_week", "day_of_year",
                "days_in_month")) {
            queries.add(function + "()");
            queries.add(function + "(timestamp(temperature))");
        }
        queries.add("sort(temperature)");
        queries.add("sort_desc(http_requests_total)");
        queries.add("pi() * 2");
        queries.add("sum(http_requests_total) / count(http_requests_total)");
        queries.add("rate({__name__=~\"http_requests_total|jitter\"}[5m])");
        queries.add("{__name__=~\"temperature|big\"} + 1");
        // edge cases and errors: the message must match too
        for (String input : List.of("NaN", "-1", "1e20", "0", "-62135596800", "253402300800", "1.5e9")) {
            for (String function : List.of("year", "month", "day_of_month", "day_of_year", "day_of_week", "hour",
                    "minute", "days_in_month")) {
                queries.add(function + "(vector(" + input + "))");
            }
        }
        queries.add("topk(NaN, temperature)");
        queries.add("topk(0, temperature)");
        queries.add("topk(1e20, temperature)");
        queries.add("quantile(2, temperature)");
        queries.add("quantile(-1, temperature)");
        queries.add("holt_winters(temperature[5m], 2, 0.5)");
        queries.add("holt_winters(temperature[5m], 0.5, 0)");
        queries.add("temperature + on() group_left temperature");
        queries.add("http_requests_total + ignoring(method) http_requests_total");
        queries.add("http_requests_total + ignoring(method) group_left http_requests_total{method=\"get\"}");
        queries.add("sum by (job) (http_requests_total) + on(job) group_right(method) http_requests_total");
        queries.add("label_replace(temperature, \"x\", \"$1x-${1}y-$$-$name-$\", \"room\", \"(?P<name>.*)\")");
        queries.add("label_replace(temperature, \"room\", \"\", \"\", \"\")");
        queries.add("label_replace(temperature, \"bad-name\", \"\", \"\", \"\")");
        queries.add("label_replace(temperature, \"x\", \"\", \"room\", \"(\")");
        queries.add("label_join(temperature, \"room\", \"\")");
        queries.add("count_values(\"v\", temperature / 7)");
        queries.add("count_values(\"bad-label\", temperature)");
        queries.add("scalar(temperature)");
        queries.add("histogram_quantile(NaN, request_duration_seconds_bucket)");
        queries.add("histogram_quantile(1.5, request_duration_seconds_bucket)");
        queries.add("histogram_quantile(0.5, {__name__=~\"request_duration_seconds_bucket|http_requests_total\"})");
        queries.add("clamp(temperature, 1, -1)");
        queries.add("round(temperature, 0)");
        queries.add("temperature == bool on() group_left vector(1)");
        queries.add("rate(temperature[5m:1m] offset -5m)");
        queries.add("sum_over_time(temperature[30m:7m] @ start())");
        queries.add("sum_over_time(temperature[30m:7m] @ end() offset 1m)");
        queries.add("min_over_time(max_over_time(temperature[5m:1m])[20m:3m])");
        queries.add("absent_over_time(nonexistent[5m:1m])");
        queries.add("absent_over_time(temperature{room=\"c\"}[1m:15s])");
        queries.add("timestamp(temperature @ " + (T0 + 3_600_000) / 1000 + " offset 3m)");
        queries.add("timestamp(big offset 5m @ start())");
        queries.add("timestamp(big offset -5m @ end())");
        queries.add("timestamp(jitter offset 4m30s @ " + (T0 + 3_600_000) / 1000 + ")");
        queries.add("quantile_over_time(scalar(temperature{room=\"a\"}) / 20, temperature[10m] @ "
                + (T0 + 3_600_000) / 1000 + ")");
        queries.add("predict_linear(temperature[10m:1m] @ " + (T0 + 3_600_000) / 1000 + ", 0)");
        queries.add("sort(http_requests_total > 1e9)");
        long at = (T0 + 3_600_000) / 1000;
        queries.add("topk(scalar(temperature{room=\"a\"}) / 5 + 3, http_requests_total @ " + at + ")");
        queries.add("quantile(scalar(temperature{room=\"b\"}) / 30, temperature @ " + at + ")");
        queries.add("sum_over_time(temperature[10m] @ " + at + ") * on() group_left vector(time())");
        queries.add("timestamp(timestamp(temperature @ " + at + "))");
        queries.add("minute(temperature @ " + at + ")");
        queries.add("-(1)");
        queries.add("(temperature @ " + at + ")[10m:2m]");
        queries.add("-{__name__=~\"temperature|jitter\"}");
        queries.add("changes({__name__=~\"temperature|jitter\"}[5m])");
        return queries;
    }

    @Test
    void engineAgreesWithPrometheus() throws Exception {
        ParserAvailability.require();
        PrometheusServer.requireExecutable("prometheus");
        PrometheusServer.requireExecutable("promtool");
        generate();
        Path openMetrics = work.resolve("data.om");
        writeOpenMetrics(openMetrics);
        Path data = work.resolve("data");
        PrometheusServer.createBlocks(openMetrics, data);
        InMemoryQueryable storage = new InMemoryQueryable();
        families.values().forEach(f -> f.forEach((labels, samples) -> samples.forEach(s -> storage.append(labels, s.t(), s.v()))));
        PromqlEngine engine = new PromqlEngine();

        long[] instants = {T0 + 3_600_000, T0 + 3_600_000 + 7_500, T0 + 7_777_777, T0 + 600_000, T0 + 10_500_000};
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try (PrometheusServer prometheus = PrometheusServer.start(data, work)) {
            List<String> queries = new ArrayList<>(queries());
            queries.addAll(new RandomQueries(Long.getLong("promql.randomSeed", 20261127), (T0 + 3_600_000) / 1000).generate(Integer.getInteger("promql.randomQueries", 400)));
            for (String query : queries) {
                for (long instant : instants) {
                    compared++;
                    String time = seconds(instant);
                    String mismatch = compareInstant(prometheus, engine, storage, query, instant, time);
                    if (mismatch != null) {
                        mismatches.add("instant " + query + " @" + time + ": " + mismatch);
                    }
                }
                long[][] ranges = {{T0 + 1_800_000, T0 + 7_200_000, 60_000}, {T0 + 123_456, T0 + 10_000_000, 337_000}};
                for (long[] range : ranges) {
                    compared++;
                    String mismatch = compareRange(prometheus, engine, storage, query, range[0], range[1], range[2]);
                    if (mismatch != null) {
                        mismatches.add("range " + query + " " + seconds(range[0]) + ".." + seconds(range[1]) + " step "
                                + range[2] + "ms: " + mismatch);
                    }
                }
            }
        }
        System.out.println("promql differential: " + compared + " queries compared with Prometheus 2.42, "
                + mismatches.size() + " mismatches, " + NONDETERMINISTIC.size()
                + " answers where Prometheus itself varied (compared within 1e-9)");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "promql-differential.txt"), compared + " queries compared bit for bit, "
                + mismatches.size() + " mismatches, " + NONDETERMINISTIC.size()
                + " where Prometheus' own answers varied (Go map order; within 1e-9)\n" + String.join("\n", mismatches)
                + "\n-- Prometheus varied:\n" + String.join("\n", NONDETERMINISTIC) + "\n");
        assertThat(mismatches).as("queries whose results differ from Prometheus 2.42").isEmpty();
    }

    /**
     * A day shaped like node_exporter and the PromLabs demo service scraped every 15 s with millisecond jitter: CPU
     * seconds in hundredths (one target restarts), byte counters near 1e11, a load gauge, and latency buckets so
     * sparse that adjacent buckets' rates tie, where a last-digit difference in {@code rate} would move
     * {@code histogram_quantile} a bucket and {@code topk} to another instance. Range queries over the whole day.
     */
    @Test
    void nodeExporterDayAgreesWithPrometheus() throws Exception {
        ParserAvailability.require();
        PrometheusServer.requireExecutable("prometheus");
        PrometheusServer.requireExecutable("promtool");
        long day = 24 * 3_600_000L;
        generateNodeExporterDay((int) (day / SCRAPE));
        Path openMetrics = work.resolve("day.om");
        writeOpenMetrics(openMetrics);
        Path data = work.resolve("day");
        PrometheusServer.createBlocks(openMetrics, data);
        InMemoryQueryable storage = new InMemoryQueryable();
        families.values().forEach(f -> f.forEach((labels, samples) -> samples.forEach(s -> storage.append(labels, s.t(), s.v()))));
        PromqlEngine engine = new PromqlEngine();
        List<String> queries = List.of(
                "rate(node_network_receive_bytes_total[5m])",
                "irate(node_network_receive_bytes_total[5m])",
                "increase(node_network_receive_bytes_total[1h])",
                "rate(node_cpu_seconds_total[1m])",
                "topk(5, sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])))",
                "1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))",
                "sum by (instance) (irate(node_cpu_seconds_total[5m]))",
                "rate(node_cpu_seconds_total{mode=\"user\"}[5m]) * 100",
                "sum by (device) (rate(node_network_receive_bytes_total[5m])) / 1024 / 1024",
                "histogram_quantile(0.5, rate(demo_api_request_duration_seconds_bucket[1m]))",
                "histogram_quantile(0.9, rate(demo_api_request_duration_seconds_bucket[1m]))",
                "histogram_quantile(0.99, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))",
                "delta(node_load1[15m])",
                "deriv(node_load1[15m])",
                "predict_linear(node_load1[1h], 3600)",
                "avg_over_time(node_load1[1h])");
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try (PrometheusServer prometheus = PrometheusServer.start(data, work)) {
            for (String query : queries) {
                compared += 2;
                String mismatch = compareRange(prometheus, engine, storage, query, T0, T0 + day, SCRAPE);
                if (mismatch != null) {
                    mismatches.add("range " + query + ": " + mismatch);
                }
                long instant = T0 + 6 * 3_600_000 + 7_000;
                mismatch = compareInstant(prometheus, engine, storage, query, instant, seconds(instant));
                if (mismatch != null) {
                    mismatches.add("instant " + query + " @" + seconds(instant) + ": " + mismatch);
                }
            }
        }
        System.out.println("promql differential, node_exporter-like day: " + compared + " queries compared bit for bit, "
                + mismatches.size() + " mismatches");
        assertThat(mismatches).as("queries over a node_exporter-like day whose results differ from Prometheus 2.42").isEmpty();
    }

    private void generateNodeExporterDay(int scrapes) {
        Random random = new Random(15);
        List<String> instances = List.of("10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100");
        List<String> modes = List.of("idle", "iowait", "softirq", "system", "user");
        for (int n = 0; n < instances.size(); n++) {
            String instance = instances.get(n);
            long offset = 1_000L + n * 3_217L;
            int restart = n == 2 ? scrapes / 2 : -1;
            for (int cpu = 0; cpu < 2; cpu++) {
                long[] hundredths = new long[modes.size()];
                for (int m = 0; m < modes.size(); m++) {
                    hundredths[m] = m == 0 ? 50_000_000L + random.nextInt(1_000_000) : random.nextInt(2_000_000);
                }
                for (int i = 0; i < scrapes; i++) {
                    if (i == restart) {
                        java.util.Arrays.fill(hundredths, 0);
                    }
                    long busy = 0;
                    for (int m = 1; m < modes.size(); m++) {
                        long spent = random.nextInt(m == 4 ? 700 : 120);
                        hundredths[m] += spent;
                        busy += spent;
                    }
                    hundredths[0] += Math.max(0, 1_500 - busy);
                    long t = T0 + offset + i * SCRAPE + random.nextInt(25);
                    for (int m = 0; m < modes.size(); m++) {
                        add("node_cpu_seconds_total", Labels.of("__name__", "node_cpu_seconds_total", "cpu", String.valueOf(cpu),
                                "instance", instance, "job", "node", "mode", modes.get(m)), t, hundredths[m] / 100.0);
                    }
                }
            }
            for (String device : List.of("eth0", "lo")) {
                double bytes = device.equals("eth0") ? 1e11 + random.nextInt(1 << 30) : random.nextInt(1 << 20);
                for (int i = 0; i < scrapes; i++) {
                    bytes = i == restart ? 0 : bytes + random.nextInt(device.equals("eth0") ? 5_000_000 : 40_000);
                    add("node_network_receive_bytes_total", Labels.of("__name__", "node_network_receive_bytes_total", "device",
                            device, "instance", instance, "job", "node"), T0 + offset + i * SCRAPE + random.nextInt(25), bytes);
                }
            }
            double load = 0.5;
            for (int i = 0; i < scrapes; i++) {
                load = Math.max(0, load + random.nextGaussian() * 0.05);
                add("node_load1", Labels.of("__name__", "node_load1", "instance", instance, "job", "node"),
                        T0 + offset + i * SCRAPE + random.nextInt(25), Math.round(load * 100) / 100.0);
            }
        }
        double[] bounds = {0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
                Double.POSITIVE_INFINITY};
        for (String instance : List.of("demo-1:8080", "demo-2:8080")) {
            for (String path : List.of("/api/bar", "/api/foo")) {
                long[] counts = new long[bounds.length];
                long offset = 4_000L + (instance.hashCode() & 0xfff);
                List<Labels> series = new ArrayList<>();
                for (double bound : bounds) {
                    String le = Double.isInfinite(bound) ? "+Inf" : String.valueOf(bound);
                    series.add(Labels.of("__name__", "demo_api_request_duration_seconds_bucket", "instance", instance,
                            "le", le, "method", "GET", "path", path));
                }
                for (int i = 0; i < scrapes; i++) {
                    int observations = random.nextInt(4);
                    for (int o = 0; o < observations; o++) {
                        double duration = 0.00008 + Math.abs(random.nextGaussian()) * 0.00025;
                        for (int b = 0; b < bounds.length; b++) {
                            if (duration <= bounds[b]) {
                                counts[b]++;
                            }
                        }
                    }
                    long t = T0 + offset + i * SCRAPE + random.nextInt(25);
                    for (int b = 0; b < bounds.length; b++) {
                        add("demo_api_request_duration_seconds_bucket", series.get(b), t, counts[b]);
                    }
                }
            }
        }
    }

    private static String seconds(long millis) {
        return millis / 1000 + "." + String.format("%03d", Math.floorMod(millis, 1000));
    }

    private static String compareInstant(PrometheusServer prometheus, PromqlEngine engine, InMemoryQueryable storage,
            String query, long instant, String time) throws Exception {
        JsonNode expected;
        try {
            expected = prometheus.query("/api/v1/query", "query", query, "time", time);
        } catch (PrometheusServer.PrometheusError e) {
            try {
                QueryValue value = engine.instantQuery(storage, query, instant).value();
                return "Prometheus failed (" + e.getMessage() + ") but the engine returned " + value;
            } catch (PromqlException failure) {
                return sameError(e, failure);
            }
        }
        QueryValue actual;
        try {
            actual = engine.instantQuery(storage, query, instant).value();
        } catch (PromqlException e) {
            return "engine failed: " + e.getMessage();
        }
        return compareExactly(query, expected, actual, () -> prometheus.query("/api/v1/query", "query", query, "time", time));
    }

    private static String compareRange(PrometheusServer prometheus, PromqlEngine engine, InMemoryQueryable storage,
            String query, long start, long end, long step) throws Exception {
        JsonNode expected;
        try {
            expected = prometheus.query("/api/v1/query_range", "query", query, "start", seconds(start), "end",
                    seconds(end), "step", String.valueOf(step / 1000.0));
        } catch (PrometheusServer.PrometheusError e) {
            try {
                QueryValue value = engine.rangeQuery(storage, query, start, end, step).value();
                return "Prometheus failed (" + e.getMessage() + ") but the engine returned " + value;
            } catch (PromqlException failure) {
                return sameError(e, failure);
            }
        }
        QueryValue actual;
        try {
            actual = engine.rangeQuery(storage, query, start, end, step).value();
        } catch (PromqlException e) {
            return "engine failed: " + e.getMessage();
        }
        return compareExactly(query, expected, actual, () -> prometheus.query("/api/v1/query_range", "query", query, "start",
                seconds(start), "end", seconds(end), "step", String.valueOf(step / 1000.0)));
    }

    private interface Requery {
        JsonNode again() throws Exception;
    }

    /** Queries where Prometheus itself answered differently when asked again (Go map order), with the tolerant verdict. */
    private static final List<String> NONDETERMINISTIC = new ArrayList<>();

    /**
     * Null when the engine's answer is bit for bit Prometheus' (values, labels, series and sample order). When it is
     * not, Prometheus is asked up to twenty more times: if its own answers differ (it sums or orders in Go map order there),
     * the engine must match one of them exactly or, failing that, within 1e-9 as a set; otherwise it is a mismatch.
     */
    private static String compareExactly(String query, JsonNode expected, QueryValue actual, Requery requery) throws Exception {
        String mismatch = compareValue(expected, actual, true);
        if (mismatch == null) {
            return null;
        }
        boolean varies = false;
        for (int i = 0; i < 20; i++) {
            JsonNode again = requery.again();
            if (!again.equals(expected)) {
                varies = true;
                if (compareValue(again, actual, true) == null) {
                    return null;
                }
            }
        }
        if (!varies) {
            return mismatch;
        }
        String tolerant = compareValue(expected, actual, false);
        if (tolerant == null) {
            NONDETERMINISTIC.add(query + ": " + mismatch);
        }
        return tolerant;
    }

    /** Null when both failed the same way: the API error type and message (bad_data from parsing excepted). */
    private static String sameError(PrometheusServer.PrometheusError expected, PromqlException actual) {
        String want = expected.getMessage();
        String got = expected.errorType + ": " + actual.getMessage();
        String duplicate = "found duplicate series for the match group";
        if (want.contains(duplicate) && got.contains(duplicate)) {
            // which duplicates are named depends on Go's map iteration order
            return null;
        }
        if (expected.errorType.equals(actual.type().apiName()) && want.equals(got)) {
            return null;
        }
        return "both failed, differently: Prometheus " + expected.getMessage() + " | engine " + actual.type().apiName()
                + ": " + actual.getMessage();
    }

    private static Labels labels(JsonNode metric) {
        Labels.Builder builder = Labels.builder();
        for (Map.Entry<String, JsonNode> field : metric.properties()) {
            builder.set(field.getKey(), field.getValue().asText());
        }
        return builder.build();
    }

    private static double value(JsonNode text) {
        return switch (text.asText()) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text.asText());
        };
    }

    private static long millis(JsonNode seconds) {
        return Math.round(seconds.asDouble() * 1000);
    }

    private static boolean close(double expected, double actual, boolean exact) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (exact) {
            return Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(actual);
        }
        if (expected == actual) {
            return true;
        }
        return Math.abs(expected - actual) <= 1e-9 * Math.max(Math.abs(expected), Math.abs(actual));
    }

    /**
     * Null when equal. Exact: values bit for bit (the JSON's shortest decimal read back), instant vectors and matrices
     * in Prometheus' order. Tolerant: series compared as sets, values within 1e-9 relative.
     */
    private static String compareValue(JsonNode expected, QueryValue actual, boolean exact) {
        String type = expected.path("resultType").asText();
        JsonNode result = expected.path("result");
        switch (actual) {
            case ScalarResult scalar -> {
                if (!type.equals("scalar")) {
                    return "type " + type + " expected, got scalar";
                }
                if (millis(result.get(0)) != scalar.timestamp() || !close(value(result.get(1)), scalar.value(), exact)) {
                    return "expected " + result + " got " + scalar;
                }
                return null;
            }
            case VectorResult vector -> {
                if (!type.equals("vector")) {
                    return "type " + type + " expected, got vector";
                }
                if (exact) {
                    if (result.size() != vector.size()) {
                        return "expected " + result.size() + " samples, got " + vector.size();
                    }
                    for (int i = 0; i < vector.size(); i++) {
                        JsonNode sample = result.get(i);
                        Labels want = labels(sample.path("metric"));
                        double value = value(sample.path("value").get(1));
                        if (!want.equals(vector.labels(i)) || !close(value, vector.value(i), true)) {
                            return "sample " + i + ": expected " + want + " " + sample.path("value").get(1).asText()
                                    + " got " + vector.labels(i) + " " + vector.value(i);
                        }
                    }
                    return null;
                }
                Map<Labels, Double> want = new TreeMap<>();
                for (JsonNode sample : result) {
                    want.put(labels(sample.path("metric")), value(sample.path("value").get(1)));
                }
                Map<Labels, Double> got = new TreeMap<>();
                for (int i = 0; i < vector.size(); i++) {
                    got.put(vector.labels(i), vector.value(i));
                }
                if (!want.keySet().equals(got.keySet())) {
                    return "series differ: expected " + want + " got " + got;
                }
                for (Map.Entry<Labels, Double> entry : want.entrySet()) {
                    if (!close(entry.getValue(), got.get(entry.getKey()), false)) {
                        return "value of " + entry.getKey() + ": expected " + entry.getValue() + " got "
                                + got.get(entry.getKey());
                    }
                }
                return null;
            }
            case MatrixResult matrix -> {
                if (!type.equals("matrix")) {
                    return "type " + type + " expected, got matrix";
                }
                List<Labels> wantOrder = new ArrayList<>();
                Map<Labels, JsonNode> want = new TreeMap<>();
                for (JsonNode series : result) {
                    wantOrder.add(labels(series.path("metric")));
                    want.put(labels(series.path("metric")), series.path("values"));
                }
                List<Labels> gotOrder = new ArrayList<>();
                Map<Labels, RangeSeries> got = new TreeMap<>();
                for (RangeSeries series : matrix.series()) {
                    gotOrder.add(series.labels());
                    got.put(series.labels(), series);
                }
                if (!want.keySet().equals(got.keySet())) {
                    return "series differ: expected " + want.keySet() + " got " + got.keySet();
                }
                if (exact && !wantOrder.equals(gotOrder)) {
                    return "series order differs: expected " + wantOrder + " got " + gotOrder;
                }
                for (Map.Entry<Labels, JsonNode> entry : want.entrySet()) {
                    RangeSeries series = got.get(entry.getKey());
                    JsonNode points = entry.getValue();
                    if (points.size() != series.size()) {
                        return entry.getKey() + ": expected " + points.size() + " points, got " + series.size();
                    }
                    for (int i = 0; i < series.size(); i++) {
                        long t = millis(points.get(i).get(0));
                        double v = value(points.get(i).get(1));
                        if (t != series.timestamp(i) || !close(v, series.value(i), exact)) {
                            return entry.getKey() + " point " + i + ": expected " + points.get(i).get(1).asText() + "@" + t
                                    + " got " + series.value(i) + "@" + series.timestamp(i);
                        }
                    }
                }
                return null;
            }
            default -> {
                return "unexpected result " + actual;
            }
        }
    }
}
