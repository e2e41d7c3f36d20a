package io.gauntlet.promql.ast;

import java.util.List;
import java.util.Objects;

/**
 * A PromQL function's argument and return types. variadic: 0 = exactly the listed arguments, -1 = the last type
 * repeats without limit, n > 0 = up to n trailing arguments may be omitted.
 */
public record FunctionSignature(String name, List<ValueType> argumentTypes, int variadic, ValueType returnType) {
    public FunctionSignature {
        Objects.requireNonNull(name, "name");
        argumentTypes = List.copyOf(argumentTypes);
        Objects.requireNonNull(returnType, "returnType");
    }
}
