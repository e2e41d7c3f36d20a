package io.gauntlet.promql.engine;

/** A scalar at the evaluation time (milliseconds). */
public record ScalarResult(long timestamp, double value) implements QueryValue {
    @Override
    public String resultType() {
        return "scalar";
    }
}
