package io.gauntlet.tsdb.chunks;

/** The sub-chunks of a Thanos downsampled chunk, in their stored order (Thanos {@code downsample.AggrType}). */
public enum AggregateType {
    COUNT,
    SUM,
    MIN,
    MAX,
    /** Running counter total with resets folded in. */
    COUNTER
}
