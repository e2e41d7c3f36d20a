package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import java.util.Arrays;
import java.util.Objects;

/** One series of a matrix result: its labels and its points as parallel primitive arrays in time order. */
public final class RangeSeries {
    private final Labels labels;
    private final long[] timestamps;
    private final double[] values;

    public RangeSeries(Labels labels, long[] timestamps, double[] values) {
        if (timestamps.length != values.length) {
            throw new IllegalArgumentException("timestamps and values differ in length");
        }
        this.labels = Objects.requireNonNull(labels, "labels");
        this.timestamps = timestamps;
        this.values = values;
    }

    public Labels labels() {
        return labels;
    }

    public int size() {
        return timestamps.length;
    }

    public long timestamp(int index) {
        return timestamps[index];
    }

    public double value(int index) {
        return values[index];
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder().append(labels).append(" =>");
        for (int i = 0; i < timestamps.length; i++) {
            out.append(' ').append(values[i]).append(" @").append(timestamps[i]);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RangeSeries that && labels.equals(that.labels)
                && Arrays.equals(timestamps, that.timestamps) && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + Arrays.hashCode(timestamps);
    }
}
