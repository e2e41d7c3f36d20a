package io.gauntlet.store;

/** Downsampled aggregates a query may ask for (storepb {@code Aggr}); RAW means raw samples. */
public enum Aggregate {
    RAW, COUNT, SUM, MIN, MAX, COUNTER
}
