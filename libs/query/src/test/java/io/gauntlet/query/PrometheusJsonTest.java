package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.RangeSeries;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.StringResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.tsdb.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings are what Prometheus 2.42 answered for the same values. */
class PrometheusJsonTest {
    @Test
    void sampleValuesFollowPrometheusJsoniterEncoder() {
        assertThat(PrometheusJson.sampleValue(1e-7)).isEqualTo("1e-07");
        assertThat(PrometheusJson.sampleValue(1e21)).isEqualTo("1e+21");
        assertThat(PrometheusJson.sampleValue(1e-6)).isEqualTo("0.000001");
        assertThat(PrometheusJson.sampleValue(0.30000000000000004)).isEqualTo("0.30000000000000004");
        assertThat(PrometheusJson.sampleValue(-0.0)).isEqualTo("-0");
        assertThat(PrometheusJson.sampleValue(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusJson.sampleValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusJson.sampleValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusJson.sampleValue(1.2345678901234568e20)).isEqualTo("123456789012345680000");
        assertThat(PrometheusJson.sampleValue(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(PrometheusJson.sampleValue(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThat(PrometheusJson.sampleValue(100)).isEqualTo("100");
    }

    @Test
    void fastFloatPathsAgreeWithTheExactOne() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double value = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong()); // any double
                case 1 -> random.nextDouble(-1e8, 1e8); // decimals around the fast range
                case 2 -> Math.rint(random.nextDouble(-1e16, 1e16)); // integers, some past 2^53
                default -> random.nextInt(1, 1000) / Math.pow(10, random.nextInt(0, 12)); // short decimals
            };
            assertThat(PrometheusJson.plainFloat(value)).as("%s", value).isEqualTo(PrometheusJson.plainFloatExact(value));
        }
    }

    @Test
    void valuesAppendedInPlaceAgreeWithTheExactOnes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < 40_000; i++) {
            double value = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> random.nextDouble(-1e22, 1e22) / Math.pow(10, random.nextInt(0, 30)); // every notation Java picks
                case 2 -> random.nextDouble(1e-7, 1e-2);
                default -> random.nextInt(1, 100_000) * Math.pow(10, random.nextInt(-9, 20)); // short digits, trailing zeros
            };
            out.setLength(1);
            PrometheusJson.appendSampleValue(out, value);
            String exact = Math.abs(value) != 0 && (Math.abs(value) < 1e-6 || Math.abs(value) >= 1e21)
                    ? PrometheusJson.exponentFloat(value) : PrometheusJson.plainFloatExact(value);
            assertThat(out.substring(1)).as("%s", value).isEqualTo(exact);
        }
        assertThat(PrometheusJson.plainFloat(12_345_678.9)).isEqualTo("12345678.9");
        assertThat(PrometheusJson.plainFloat(-0.000123456)).isEqualTo("-0.000123456");
        assertThat(PrometheusJson.plainFloat(1.2345e19)).isEqualTo("12345000000000000000");
    }

    @Test
    void timestampsKeepTheirMilliseconds() {
        StringBuilder out = new StringBuilder();
        PrometheusJson.writeTimestamp(out, 1500);
        out.append(' ');
        PrometheusJson.writeTimestamp(out, -1500);
        out.append(' ');
        PrometheusJson.writeTimestamp(out, 1_700_000_000_001L);
        out.append(' ');
        PrometheusJson.writeTimestamp(out, 4000);
        assertThat(out).hasToString("1.500 -1.500 1700000000.001 4");
    }

    @Test
    void resultsAsPrometheusWritesThem() {
        assertThat(PrometheusJson.queryData(new ScalarResult(4000, 2)))
                .isEqualTo("{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}");
        assertThat(PrometheusJson.queryData(new ScalarResult(4000, 1e-7)))
                .isEqualTo("{\"resultType\":\"scalar\",\"result\":[4,\"0.0000001\"]}");
        assertThat(PrometheusJson.queryData(new ScalarResult(1, 1e21)))
                .isEqualTo("{\"resultType\":\"scalar\",\"result\":[0.001,\"1000000000000000000000\"]}");
        assertThat(PrometheusJson.queryData(new StringResult(1000, "a<>b")))
                .isEqualTo("{\"resultType\":\"string\",\"result\":[1,\"a\\u003c\\u003eb\"]}");
        assertThat(PrometheusJson.queryData(new VectorResult(1500, new Labels[] {Labels.EMPTY}, new double[] {1e21})))
                .isEqualTo("{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1.500,\"1e+21\"]}]}");
        assertThat(PrometheusJson.queryData(new MatrixResult(List.of(new RangeSeries(Labels.of("__name__", "up", "job", "a\"b"),
                new long[] {0, 1500}, new double[] {1e-7, 1})))))
                .isEqualTo("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"a\\\"b\"},"
                        + "\"values\":[[0,\"1e-07\"],[1.500,\"1\"]]}]}");
        assertThat(PrometheusJson.queryData(new VectorResult(0, new Labels[0], new double[0])))
                .isEqualTo("{\"resultType\":\"vector\",\"result\":[]}");
    }

    @Test
    void queryAnswerIsTheEnvelopeOfTheData() {
        MatrixResult matrix = new MatrixResult(List.of(new RangeSeries(Labels.of("__name__", "up"), new long[] {0, 1500},
                new double[] {0.25, 3e7 + 0.5})));
        assertThat(PrometheusJson.queryAnswer(matrix, List.of("w", "w")))
                .isEqualTo(PrometheusJson.success(PrometheusJson.queryData(matrix), List.of("w", "w")))
                .contains("\"30000000.5\"");
        assertThat(PrometheusJson.queryAnswer(new ScalarResult(1000, 2), List.of())).isEqualTo(PrometheusJson.success(
                PrometheusJson.queryData(new ScalarResult(1000, 2)), List.of()));
    }

    @Test
    void envelopes() {
        assertThat(PrometheusJson.success("[]", List.of("store a: down")))
                .isEqualTo("{\"status\":\"success\",\"data\":[],\"warnings\":[\"store a: down\"]}");
        assertThat(PrometheusJson.error("bad_data", "invalid label name: \"a-b\"", List.of()))
                .isEqualTo("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid label name: \\\"a-b\\\"\"}");
    }

    @Test
    void stringsEscapedAsGoEncodingJson() {
        StringBuilder out = new StringBuilder();
        PrometheusJson.writeString(out, "a&b\u0001\u2028\n\uD83D\uDE00\uD800");
        assertThat(out).hasToString("\"a\\u0026b\\u0001\\u2028\\n\uD83D\uDE00\\ufffd\"");
    }
}
