package io.gauntlet.promql.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.RangeSeries;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.tsdb.Labels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quirks of Prometheus 2.42 pinned with answers recorded from the real binary (so they stay covered where
 * Prometheus is not installed): m{job="a"} = 1.5·i and m{job="b"} = 3.25·(i mod 7) at t = 1000 s + 15 s·i.
 */
class RecordedPrometheusBehaviourTest {
    private final PromqlEngine engine = new PromqlEngine();
    private final InMemoryQueryable storage = new InMemoryQueryable();

    @BeforeEach
    void load() {
        ParserAvailability.require();
        for (int i = 0; i < 200; i++) {
            long t = 1_000_000L + i * 15_000L;
            storage.append(Labels.of("__name__", "m", "job", "a"), t, i * 1.5);
            storage.append(Labels.of("__name__", "m", "job", "b"), t, (i % 7) * 3.25);
        }
    }

    private VectorResult instant(String query, long millis) {
        return (VectorResult) engine.instantQuery(storage, query, millis).value();
    }

    @Test
    void anAtModifierOnTheRangeOfPredictLinearMovesWithTheStepInRangeQueries() {
        String query = "predict_linear(m{job=\"b\"}[100s] @ 1500, 0)";
        assertThat(instant(query, 2_030_000).value(0)).isEqualTo(41.16666666666667);
        RangeSeries series = ((MatrixResult) engine.rangeQuery(storage, query, 2_000_000, 2_060_000, 30_000).value())
                .series().getFirst();
        assertThat(series.value(0)).isEqualTo(39.54166666666667);
        assertThat(series.value(1)).isEqualTo(132.16666666666669);
        assertThat(series.value(2)).isEqualTo(138.66666666666669);
    }

    @Test
    void timestampWithAtAndOffsetReturnsTheSampleTimeBeforeTheOffset() {
        VectorResult result = instant("timestamp(m @ 1500 offset 100s)", 2_000_000);
        assertThat(result.size()).isEqualTo(2);
        assertThat(result.value(0)).isEqualTo(1390);
        assertThat(instant("timestamp(m @ 1500)", 2_000_000).value(0)).isEqualTo(1495);
    }

    @Test
    void atan2KeepsTheMetricNameAndComparisonsKeepTheLeftValue() {
        VectorResult atan2 = instant("m{job=\"a\"} atan2 m{job=\"a\"}", 2_000_000);
        assertThat(atan2.labels(0)).isEqualTo(Labels.of("__name__", "m", "job", "a"));
        assertThat(atan2.value(0)).isEqualTo(0.7853981633974483);
    }

    @Test
    void countValuesFormatsValuesLikeGo() {
        VectorResult result = instant("count_values(\"v\", m / 7)", 2_000_000);
        assertThat(result.labels(0).get("v")).isEqualTo("14.142857142857142");
        assertThat(result.labels(1).get("v")).isEqualTo("1.3928571428571428");
    }

    @Test
    void dateFunctionsOverflowLikeGo() {
        assertThat(instant("year(vector(NaN))", 2_000_000).value(0)).isEqualTo(292277026596.0);
        assertThat(instant("hour(vector(-1))", 2_000_000).value(0)).isEqualTo(23);
        assertThat(instant("day_of_week(vector(1e20))", 2_000_000).value(0)).isZero();
    }

    @Test
    void errorsReadAsPrometheusWritesThem() {
        assertThatThrownBy(() -> instant("topk(NaN, m)", 2_000_000)).hasMessage("Scalar value NaN overflows int64");
        assertThatThrownBy(() -> instant("holt_winters(m[1m], 2, 0.5)", 2_000_000))
                .hasMessage("invalid smoothing factor. Expected: 0 < sf < 1, got: 2.000000");
        assertThatThrownBy(() -> instant("m + on() group_left m", 2_000_000)).hasMessageStartingWith(
                "found duplicate series for the match group {} on the right hand-side of the operation: [");
    }

    @Test
    void scalarOfSeveralSeriesIsNaN() {
        assertThat(((ScalarResult) engine.instantQuery(storage, "scalar(m)", 2_000_000).value()).value()).isNaN();
    }
}
