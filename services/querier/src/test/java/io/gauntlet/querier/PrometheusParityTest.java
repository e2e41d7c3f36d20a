package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same data in a real Prometheus 2.42 (promtool blocks) and behind a Gauntlet store: every query answers the same
 * (parsed JSON; values within 1e-9 relative, NaN equal to NaN).
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class PrometheusParityTest {
    static final List<String> QUERIES = List.of(
            "http_requests_total",
            "http_requests_total{code=\"500\",instance=~\"i[01]\"}",
            "{__name__=~\"node.*\"}",
            "rate(http_requests_total[5m])",
            "irate(http_requests_total[5m])",
            "increase(http_requests_total[10m])",
            "resets(http_requests_total[30m])",
            "delta(node_temperature_celsius[10m])",
            "deriv(node_temperature_celsius[10m])",
            "sum by (job) (rate(http_requests_total[5m]))",
            "sum by (instance) (rate(http_requests_total[5m])) > 1",
            "avg(node_temperature_celsius)",
            "max without (instance) (node_temperature_celsius)",
            "min(node_temperature_celsius)",
            "count(http_requests_total)",
            "topk(2, node_temperature_celsius)",
            "bottomk(1, node_temperature_celsius)",
            // (bottomk over rate ties at 0.05 between instances: which one wins is unspecified in Prometheus)
            "quantile(0.9, node_temperature_celsius)",
            "stddev(node_temperature_celsius)",
            "stdvar by (job) (node_temperature_celsius)",
            "count_values(\"v\", round(node_temperature_celsius))",
            "group by (job) (http_requests_total)",
            "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
            "histogram_quantile(0.5, rate(request_duration_seconds_bucket[10m]))",
            "node_temperature_celsius offset 10m",
            "avg_over_time(node_temperature_celsius[10m])",
            "max_over_time(node_temperature_celsius[10m])",
            "min_over_time(node_temperature_celsius[10m])",
            "sum_over_time(node_temperature_celsius[10m])",
            "count_over_time(gappy_values[10m])",
            "quantile_over_time(0.5, node_temperature_celsius[10m])",
            "stddev_over_time(node_temperature_celsius[10m])",
            "last_over_time(gappy_values[10m])",
            "changes(gappy_values[10m])",
            "gappy_values",
            "gappy_values * 2",
            "absent(nonexistent_metric)",
            "absent_over_time(gappy_values[5m])",
            "http_requests_total{code=\"500\"} / ignoring(code) http_requests_total{code=\"200\"}",
            "node_temperature_celsius > on(instance) group_left() (node_temperature_celsius - 1)",
            "label_replace(node_temperature_celsius, \"x\", \"$1\", \"instance\", \"i(.*)\")",
            "max_over_time(rate(http_requests_total[5m])[30m:1m])",
            "time()",
            "vector(1)",
            "scalar(sum(node_temperature_celsius))",
            "predict_linear(node_temperature_celsius[30m], 600)",
            "holt_winters(node_temperature_celsius[30m], 0.5, 0.5)",
            "clamp(node_temperature_celsius, 35, 45)",
            "round(node_temperature_celsius, 0.1)",
            "timestamp(node_temperature_celsius)",
            "sort_desc(node_temperature_celsius)",
            "-node_temperature_celsius ^ 2 % 7",
            "ln(gappy_values)");

    @BeforeEach
    void prometheusAndStores() {
        Assumptions.assumeFalse(prometheusUrl().isEmpty(), "Prometheus 2.42 / promtool not installed: skipping parity");
        QuerierTesting.awaitStoresHealthy(5);
    }

    @Test
    void instantQueriesAnswerAsPrometheus() {
        long[] times = {TestData.T0 + 1_800_000, TestData.T0 + 3_660_000 + 1_234, TestData.PARITY_END - 60_000,
                TestData.PARITY_END + 200_000, TestData.T0 - 60_000};
        int compared = 0;
        for (String query : QUERIES) {
            for (long time : times) {
                String path = "/api/v1/query?query=" + encode(query) + "&time=" + seconds(time);
                compare(path);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(200);
    }

    @Test
    void rangeQueriesAnswerAsPrometheus() {
        for (String query : QUERIES) {
            compare("/api/v1/query_range?query=" + encode(query) + "&start=" + seconds(TestData.T0 - 300_000)
                    + "&end=" + seconds(TestData.PARITY_END + 600_000) + "&step=60");
            compare("/api/v1/query_range?query=" + encode(query) + "&start=" + seconds(TestData.T0 + 1_000_001)
                    + "&end=" + seconds(TestData.T0 + 2_000_000) + "&step=17.5");
        }
    }

    @Test
    void seriesAndLabelsAnswerAsPrometheus() {
        String range = "&start=" + seconds(TestData.T0) + "&end=" + seconds(TestData.PARITY_END);
        compare("/api/v1/series?match[]=" + encode("http_requests_total") + "&match[]=" + encode("{job=\"node\"}") + range);
        compare("/api/v1/labels?" + range.substring(1));
        compare("/api/v1/label/job/values?" + range.substring(1));
        compare("/api/v1/label/instance/values?match[]=" + encode("node_temperature_celsius") + range);
    }

    private static String seconds(long millis) {
        StringBuilder out = new StringBuilder();
        io.gauntlet.query.PrometheusJson.writeTimestamp(out, millis);
        return out.toString();
    }

    private static void compare(String path) {
        QuerierTesting.Answer expected = get(prometheusUrl(), path);
        QuerierTesting.Answer actual = get(querierUrl(), path);
        assertThat(actual.status()).as(path + "\n" + actual.body()).isEqualTo(expected.status());
        JsonNode want = expected.json();
        JsonNode got = actual.json();
        assertThat(got.path("status").asText()).as(path).isEqualTo(want.path("status").asText());
        if (!want.path("status").asText().equals("success")) {
            assertThat(got.path("errorType")).as(path).isEqualTo(want.path("errorType"));
            return;
        }
        assertSame(path, normalise(want.path("data")), normalise(got.path("data")));
    }

    /** Instant vectors are unordered in Prometheus: sort them by labels so both sides compare. */
    private static JsonNode normalise(JsonNode data) {
        if (data.path("resultType").asText().equals("vector")) {
            List<JsonNode> items = new ArrayList<>();
            data.path("result").forEach(items::add);
            items.sort(Comparator.comparing(n -> n.path("metric").toString()));
            var array = QuerierTesting.JSON.createArrayNode();
            items.forEach(array::add);
            ((com.fasterxml.jackson.databind.node.ObjectNode) data).set("result", array);
        }
        return data;
    }

    private static void assertSame(String where, JsonNode want, JsonNode got) {
        if (want.isTextual() && got.isTextual() && isNumber(want.asText()) && isNumber(got.asText())) {
            double a = Double.parseDouble(want.asText().replace("Inf", "Infinity"));
            double b = Double.parseDouble(got.asText().replace("Inf", "Infinity"));
            if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
                assertThat(got.asText()).as(where).isEqualTo(want.asText());
            } else {
                assertThat(Math.abs(a - b)).as(where + ": " + want + " vs " + got).isLessThanOrEqualTo(1e-9 * Math.max(Math.abs(a), Math.abs(b)));
            }
            return;
        }
        if (want.isContainerNode()) {
            assertThat(got.size()).as(where + "\nwant " + want + "\ngot  " + got).isEqualTo(want.size());
            if (want.isObject()) {
                assertThat(iterable(got.fieldNames())).as(where).containsExactlyElementsOf(iterable(want.fieldNames()));
                want.fieldNames().forEachRemaining(name -> assertSame(where + "." + name, want.get(name), got.get(name)));
            } else {
                for (int i = 0; i < want.size(); i++) {
                    assertSame(where + "[" + i + "]", want.get(i), got.get(i));
                }
            }
            return;
        }
        assertThat(got).as(where).isEqualTo(want);
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private static boolean isNumber(String text) {
        return text.matches("[-+]?(Inf|NaN|[0-9.]+(e[-+]?[0-9]+)?)");
    }
}
