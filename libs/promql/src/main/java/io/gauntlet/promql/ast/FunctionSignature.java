package io.gauntlet.promql.ast;

import java.util.List;
import java.util.Objects;

/**
 * A PromQL function's argument and return types, as Prometheus declares them. variadic == 0: exactly the listed
 * arguments. variadic != 0: the last listed argument is optional and, for n > 0, calls take at most
 * {@code argumentTypes.size() - 1 + n} arguments (e.g. {@code round(v [, to_nearest])}); for -1 the last type repeats
 * without limit (e.g. {@code label_join(v, dst, sep, src...)}).
 */
public record FunctionSignature(String name, List<ValueType> argumentTypes, int variadic, ValueType returnType) {
    public FunctionSignature {
        Objects.requireNonNull(name, "name");
        argumentTypes = List.copyOf(argumentTypes);
        Objects.requireNonNull(returnType, "returnType");
    }
}
