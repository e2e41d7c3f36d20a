package io.gauntlet.promql.ast;

/** The {@code @} modifier: a fixed timestamp in milliseconds, or the query's start / end (resolved by the engine). */
public record AtModifier(Kind kind, long timestampMillis) {
    public static final AtModifier START = new AtModifier(Kind.START, 0);
    public static final AtModifier END = new AtModifier(Kind.END, 0);

    public enum Kind { TIMESTAMP, START, END }

    public static AtModifier at(long timestampMillis) {
        return new AtModifier(Kind.TIMESTAMP, timestampMillis);
    }
}
