package io.gauntlet.tsdb.storage;

/** One float sample, for tests and small results only: hot paths use {@link SampleIterator}. */
public record Sample(long timestamp, double value) {
    /** Compares values by bit pattern so that NaNs (and the staleness marker) compare as equal to themselves. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Sample that && timestamp == that.timestamp
                && Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(that.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + Long.hashCode(Double.doubleToRawLongBits(value));
    }
}
