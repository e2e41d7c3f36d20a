package io.gauntlet.promql.parser;

import static io.gauntlet.promql.ast.ValueType.MATRIX;
import static io.gauntlet.promql.ast.ValueType.SCALAR;
import static io.gauntlet.promql.ast.ValueType.STRING;
import static io.gauntlet.promql.ast.ValueType.VECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.ast.FunctionSignature;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The function table matches Prometheus 2.42 (checked against the running 2.42.0 binary). */
class FunctionsTest {

    @Test
    void knowsExactlyThePrometheus242Functions() {
        assertThat(Functions.all().keySet()).containsExactlyInAnyOrder("abs", "absent", "absent_over_time", "acos",
                "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max",
                "clamp_min", "cos", "cosh", "count_over_time", "days_in_month", "day_of_month", "day_of_week",
                "day_of_year", "deg", "delta", "deriv", "exp", "floor", "histogram_count", "histogram_sum",
                "histogram_fraction", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate",
                "label_replace", "label_join", "last_over_time", "ln", "log10", "log2", "max_over_time",
                "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time",
                "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt",
                "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector",
                "year");
        assertThat(Functions.get("mad_over_time")).isEmpty();
        assertThat(Functions.get("sort_by_label")).isEmpty();
        assertThatThrownBy(() -> Functions.require("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signatures() {
        assertThat(Functions.require("rate")).isEqualTo(new FunctionSignature("rate", List.of(MATRIX), 0, VECTOR));
        assertThat(Functions.require("label_join")).isEqualTo(
                new FunctionSignature("label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR));
        assertThat(Functions.require("round")).isEqualTo(
                new FunctionSignature("round", List.of(VECTOR, SCALAR), 1, VECTOR));
        assertThat(Functions.require("hour")).isEqualTo(new FunctionSignature("hour", List.of(VECTOR), 1, VECTOR));
        assertThat(Functions.require("holt_winters")).isEqualTo(
                new FunctionSignature("holt_winters", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR));
        assertThat(Functions.require("histogram_fraction").argumentTypes()).containsExactly(SCALAR, SCALAR, VECTOR);
        assertThat(Functions.require("time").argumentTypes()).isEmpty();
        assertThat(Functions.isNativeHistogramFunction("histogram_sum")).isTrue();
        assertThat(Functions.isNativeHistogramFunction("histogram_quantile")).isFalse();
    }
}
