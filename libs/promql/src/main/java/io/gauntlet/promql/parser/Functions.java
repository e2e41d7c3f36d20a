package io.gauntlet.promql.parser;

import static io.gauntlet.promql.ast.ValueType.MATRIX;
import static io.gauntlet.promql.ast.ValueType.SCALAR;
import static io.gauntlet.promql.ast.ValueType.STRING;
import static io.gauntlet.promql.ast.ValueType.VECTOR;

import io.gauntlet.promql.ast.FunctionSignature;
import io.gauntlet.promql.ast.ValueType;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The functions of PromQL as Prometheus 2.42 knows them, with their argument and return types. */
public final class Functions {
    /**
     * Functions that only give results for native histogram samples (experimental in 2.42, behind the
     * {@code native-histograms} feature flag for ingestion); over float samples they return nothing.
     */
    public static final Set<String> NATIVE_HISTOGRAM_FUNCTIONS =
            Set.of("histogram_count", "histogram_sum", "histogram_fraction");

    private static final Map<String, FunctionSignature> BY_NAME;

    static {
        Map<String, FunctionSignature> map = new TreeMap<>();
        for (String name : List.of("abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos",
                "cosh", "deg", "exp", "floor", "histogram_count", "histogram_sum", "ln", "log10", "log2", "rad", "sgn",
                "sin", "sinh", "sort", "sort_desc", "sqrt", "tan", "tanh", "timestamp")) {
            add(map, name, 0, VECTOR, VECTOR);
        }
        for (String name : List.of("absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
                "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time", "present_over_time",
                "rate", "resets", "stddev_over_time", "stdvar_over_time", "sum_over_time")) {
            add(map, name, 0, VECTOR, MATRIX);
        }
        // date functions default to time() when the vector argument is omitted
        for (String name : List.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
                "month", "year")) {
            add(map, name, 1, VECTOR, VECTOR);
        }
        add(map, "clamp", 0, VECTOR, VECTOR, SCALAR, SCALAR);
        add(map, "clamp_max", 0, VECTOR, VECTOR, SCALAR);
        add(map, "clamp_min", 0, VECTOR, VECTOR, SCALAR);
        add(map, "histogram_fraction", 0, VECTOR, SCALAR, SCALAR, VECTOR);
        add(map, "histogram_quantile", 0, VECTOR, SCALAR, VECTOR);
        add(map, "holt_winters", 0, VECTOR, MATRIX, SCALAR, SCALAR);
        add(map, "label_join", -1, VECTOR, VECTOR, STRING, STRING, STRING);
        add(map, "label_replace", 0, VECTOR, VECTOR, STRING, STRING, STRING, STRING);
        add(map, "pi", 0, SCALAR);
        add(map, "predict_linear", 0, VECTOR, MATRIX, SCALAR);
        add(map, "quantile_over_time", 0, VECTOR, SCALAR, MATRIX);
        add(map, "round", 1, VECTOR, VECTOR, SCALAR);
        add(map, "scalar", 0, SCALAR, VECTOR);
        add(map, "time", 0, SCALAR);
        add(map, "vector", 0, VECTOR, SCALAR);
        BY_NAME = Collections.unmodifiableMap(map);
    }

    private Functions() {
    }

    private static void add(Map<String, FunctionSignature> map, String name, int variadic, ValueType returnType,
            ValueType... argumentTypes) {
        map.put(name, new FunctionSignature(name, List.of(argumentTypes), variadic, returnType));
    }

    public static Optional<FunctionSignature> get(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** @throws IllegalArgumentException for a name PromQL 2.42 does not know */
    public static FunctionSignature require(String name) {
        FunctionSignature signature = BY_NAME.get(name);
        if (signature == null) {
            throw new IllegalArgumentException("unknown function with name \"" + name + "\"");
        }
        return signature;
    }

    /** All functions by name, sorted. */
    public static Map<String, FunctionSignature> all() {
        return BY_NAME;
    }

    public static boolean isNativeHistogramFunction(String name) {
        return NATIVE_HISTOGRAM_FUNCTIONS.contains(name);
    }
}
