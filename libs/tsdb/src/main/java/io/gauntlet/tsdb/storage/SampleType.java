package io.gauntlet.tsdb.storage;

/** What a sample holds (Prometheus {@code chunkenc.ValueType} without "none"). */
public enum SampleType {
    FLOAT,
    /** An integer native histogram (chunk encoding 2). */
    HISTOGRAM,
    /** A float native histogram (chunk encoding 3). */
    FLOAT_HISTOGRAM;

    public boolean isHistogram() {
        return this != FLOAT;
    }
}
