package io.gauntlet.promql.engine;

import java.util.Objects;

/** A string literal evaluated at the evaluation time (milliseconds). */
public record StringResult(long timestamp, String value) implements QueryValue {
    public StringResult {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String resultType() {
        return "string";
    }
}
