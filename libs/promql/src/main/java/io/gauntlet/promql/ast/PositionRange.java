package io.gauntlet.promql.ast;

/** Half-open range {@code [start, end)} of UTF-8 byte offsets into the query text, as Prometheus reports them. */
public record PositionRange(int start, int end) {
    public static final PositionRange NONE = new PositionRange(0, 0);
}
