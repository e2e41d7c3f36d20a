package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's parity proof on the real stack: the querier (fast-jar) over a store gateway (fast-jar) serving the first
 * four hours from a bucket and a sidecar (fast-jar) serving the last two from its Prometheus 2.42, against a reference
 * Prometheus 2.42 holding all six hours. Every query, instant at times inside each store's range and on the hand-over,
 * and as a range over all six hours, must give the reference's answer (values within 1e-9 relative, NaN equal to NaN).
 */
class RealStackParityTest {
    private static final long H = 3_600_000L;
    static final long T0 = 1_690_000_000_000L / (2 * H) * (2 * H);
    static final long SPLIT = T0 + 4 * H;
    static final long END = T0 + 6 * H;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> QUERIES = List.of(
            "http_requests_total",
            "http_requests_total{code=\"500\",instance=~\"i[0-3]\"}",
            "{__name__=~\"node_.*\",instance!=\"i2\"}",
            "rate(http_requests_total[5m])",
            "irate(http_requests_total[5m])",
            "increase(http_requests_total[30m])",
            "resets(http_requests_total[1h])",
            "sum by (job, code) (rate(http_requests_total[10m]))",
            "sum without (instance) (rate(http_requests_total[5m])) / ignoring(code) group_left sum without (instance, code) (rate(http_requests_total[5m]))",
            "avg(node_temperature_celsius)",
            "max by (job) (node_temperature_celsius)",
            "topk(3, node_temperature_celsius)",
            "quantile(0.75, node_temperature_celsius)",
            "stddev(node_temperature_celsius)",
            "count_values(\"v\", round(node_temperature_celsius / 10))",
            "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[10m])))",
            "node_temperature_celsius offset 20m",
            "avg_over_time(node_temperature_celsius[20m])",
            "max_over_time(node_temperature_celsius[1h])",
            "quantile_over_time(0.5, node_temperature_celsius[15m])",
            "count_over_time(gappy_values[10m])",
            "last_over_time(gappy_values[30m])",
            "absent(gappy_values{instance=\"i1\"})",
            "deriv(node_temperature_celsius[30m])",
            "predict_linear(node_temperature_celsius[30m], 600)",
            "changes(node_temperature_celsius[20m])",
            "max_over_time(rate(http_requests_total[5m])[30m:1m])",
            "label_replace(rate(http_requests_total[5m]), \"status\", \"${1}xx\", \"code\", \"(.).*\")",
            "timestamp(gappy_values)",
            "node_temperature_celsius > on (instance) group_left avg by (instance) (node_temperature_celsius offset 1h)");

    @TempDir
    static Path work;
    private static final ServiceProcess.Group processes = new ServiceProcess.Group();
    private static String reference;
    private static String querier;
    private static int nonEmptyAnswers;

    @BeforeAll
    static void startStack() throws Exception {
        SampleSet data = generate();
        reference = processes.add(ServiceProcess.startPrometheus(work, "reference", data.openMetrics(T0, END), "")).url();

        // the last two hours live in the sidecar's Prometheus, the first four in the bucket (as if shipped)
        ServiceProcess fresh = processes.add(
                ServiceProcess.startPrometheus(work, "fresh", data.openMetrics(SPLIT, END), "  external_labels:\n    cluster: it\n"));
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        for (long from = T0; from < SPLIT; from += 2 * H) {
            data.writeBlock(bucket, from, from + 2 * H, Map.of("cluster", "it"));
        }

        ServiceProcess sidecar = ServiceProcess.startSidecar(work, fresh.url());
        processes.add(sidecar);
        ServiceProcess gateway = ServiceProcess.startStoreGateway(work, bucket);
        processes.add(gateway);
        ServiceProcess querierProcess = ServiceProcess.startQuerier(work, List.of(sidecar, gateway));
        processes.add(querierProcess);
        querier = querierProcess.url();
    }

    @AfterAll
    static void stopStack() {
        processes.close();
    }

    @Test
    void instantQueriesInEachStoreAndAcrossTheHandOver() throws IOException {
        List<String> differences = new ArrayList<>();
        nonEmptyAnswers = 0;
        for (long at : new long[] {T0 + 2 * H + 7_000, SPLIT + 60_000, SPLIT + 17 * 60_000, END - 30_000}) {
            for (String query : QUERIES) {
                String params = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + at / 1000.0;
                compare("/api/v1/query?" + params, differences);
            }
        }
        assertThat(differences).isEmpty();
        // the comparison means something only where there is data: all but a few (absent(), gaps) have some
        assertThat(nonEmptyAnswers).as("non-empty answers").isGreaterThan(QUERIES.size() * 4 * 8 / 10);
    }

    @Test
    void rangeQueriesOverAllSixHours() throws IOException {
        List<String> differences = new ArrayList<>();
        for (String query : QUERIES) {
            String params = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + (T0 + H) / 1000 + "&end="
                    + END / 1000 + "&step=60";
            compare("/api/v1/query_range?" + params, differences);
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void seriesAndLabelValuesAcrossBothStores() throws IOException {
        String window = "&start=" + T0 / 1000 + "&end=" + END / 1000;
        JsonNode expected = answer(reference, "/api/v1/label/instance/values?" + window.substring(1));
        JsonNode actual = answer(querier, "/api/v1/label/instance/values?" + window.substring(1));
        assertThat(actual.path("data")).isEqualTo(expected.path("data"));
        String series = "/api/v1/series?match[]=" + URLEncoder.encode("{__name__=~\"gappy_values|node_temperature_celsius\"}", StandardCharsets.UTF_8)
                + window;
        assertThat(labelSets(answer(querier, series))).isEqualTo(labelSets(answer(reference, series)));
    }

    private static List<Map<String, String>> labelSets(JsonNode answer) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode set : answer.path("data")) {
            out.add(labels(set));
        }
        return out;
    }

    private static void compare(String path, List<String> differences) throws IOException {
        JsonNode expected = answer(reference, path);
        JsonNode actual = answer(querier, path);
        nonEmptyAnswers += expected.path("data").path("result").isEmpty() ? 0 : 1;
        String difference = difference(expected.path("data"), actual.path("data"));
        if (difference != null) {
            differences.add(path + ": " + difference);
        }
    }

    private static JsonNode answer(String base, String path) throws IOException {
        var response = ServiceProcess.get(base + path);
        assertThat(response.statusCode()).as(base + path + " → " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Null when equal: same type, same series (labels without the external label), same points. */
    private static String difference(JsonNode expected, JsonNode actual) {
        if (!expected.path("resultType").equals(actual.path("resultType"))) {
            return "type " + actual.path("resultType") + " instead of " + expected.path("resultType");
        }
        if (expected.path("resultType").asText().equals("scalar")) {
            return samePoint(expected.path("result"), actual.path("result")) ? null : actual + " instead of " + expected;
        }
        Map<Map<String, String>, JsonNode> want = bySeries(expected.path("result"));
        Map<Map<String, String>, JsonNode> got = bySeries(actual.path("result"));
        if (!want.keySet().equals(got.keySet())) {
            return "series " + got.keySet() + " instead of " + want.keySet();
        }
        for (var entry : want.entrySet()) {
            JsonNode wantPoints = entry.getValue();
            JsonNode gotPoints = got.get(entry.getKey());
            if (wantPoints.size() != gotPoints.size()) {
                return entry.getKey() + ": " + gotPoints.size() + " points instead of " + wantPoints.size();
            }
            for (int i = 0; i < wantPoints.size(); i++) {
                if (!samePoint(wantPoints.get(i), gotPoints.get(i))) {
                    return entry.getKey() + ": " + gotPoints.get(i) + " instead of " + wantPoints.get(i);
                }
            }
        }
        return null;
    }

    private static Map<Map<String, String>, JsonNode> bySeries(JsonNode result) {
        Map<Map<String, String>, JsonNode> out = new java.util.HashMap<>();
        for (JsonNode series : result) {
            JsonNode points = series.has("values") ? series.path("values") : JSON.createArrayNode().add(series.path("value"));
            out.put(labels(series.path("metric")), points);
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new TreeMap<>();
        metric.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        labels.remove("cluster"); // the stores' external label
        return labels;
    }

    private static boolean samePoint(JsonNode want, JsonNode got) {
        if (want.get(0).asDouble() != got.get(0).asDouble()) {
            return false;
        }
        String w = want.get(1).asText();
        String g = got.get(1).asText();
        if (w.equals(g)) {
            return true;
        }
        double a = Double.parseDouble(w);
        double b = Double.parseDouble(g);
        return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * Counters with resets, gauges, histogram buckets and a series with gaps; 20 instances scraped every 15 s, each at
     * its own offset, a few ms off now and then.
     */
    static SampleSet generate() {
        return generate(T0, END, 15_000, 20, 6);
    }

    /** The same shapes over [from, to), scraped every {@code interval} ms, for this many instances. */
    static SampleSet generate(long from, long to, long interval, int instances, long seed) {
        Random random = new Random(seed);
        int n = (int) ((to - from) / interval);
        List<SampleSet.Series> out = new ArrayList<>();
        for (int instance = 0; instance < instances; instance++) {
            String name = "i" + instance;
            long[] ts = new long[n];
            long phase = random.nextInt((int) interval);
            for (int i = 0; i < n; i++) {
                ts[i] = from + phase + i * interval + (random.nextInt(10) == 0 ? random.nextInt(7) - 3 : 0);
            }
            for (String code : List.of("200", "500")) {
                double[] counter = new double[n];
                double total = random.nextInt(1000);
                for (int i = 0; i < n; i++) {
                    total = random.nextInt(2000) == 0 ? 0 : total + random.nextInt(code.equals("200") ? 50 : 3);
                    counter[i] = total;
                }
                out.add(new SampleSet.Series(Labels.of("__name__", "http_requests_total", "job", "api", "instance", name, "code", code), ts, counter));
            }
            double[] temperature = new double[n];
            double t = 40 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                t += (random.nextInt(9) - 4) * 0.125;
                temperature[i] = t;
            }
            out.add(new SampleSet.Series(Labels.of("__name__", "node_temperature_celsius", "job", "node", "instance", name), ts, temperature));
            if (instance < 5) {
                double[] below = new double[n];
                String[] bounds = {"0.1", "0.5", "1", "+Inf"};
                double[][] buckets = new double[bounds.length][n];
                for (int i = 0; i < n; i++) {
                    for (int b = 0; b < bounds.length; b++) {
                        below[b] += random.nextInt(5 + 5 * b);
                        buckets[b][i] = b == 0 ? below[0] : Math.max(below[b], buckets[b - 1][i]);
                        below[b] = buckets[b][i];
                    }
                }
                for (int b = 0; b < bounds.length; b++) {
                    out.add(new SampleSet.Series(Labels.of("__name__", "request_duration_seconds_bucket", "job", "api", "instance", name, "le", bounds[b]),
                            ts, buckets[b]));
                }
            }
            if (instance < 3) {
                // present for 40 minutes, absent for 20, at a phase of its own
                int[] kept = new int[n];
                int count = 0;
                for (int i = 0; i < n; i++) {
                    if (((ts[i] - from) / 60_000 + instance * 25) % 60 < 40) {
                        kept[count++] = i;
                    }
                }
                long[] gappyTs = new long[count];
                double[] gappy = new double[count];
                for (int k = 0; k < count; k++) {
                    gappyTs[k] = ts[kept[k]];
                    gappy[k] = random.nextInt(100);
                }
                out.add(new SampleSet.Series(Labels.of("__name__", "gappy_values", "job", "batch", "instance", name), gappyTs, gappy));
            }
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()));
        return new SampleSet(out);
    }
}
