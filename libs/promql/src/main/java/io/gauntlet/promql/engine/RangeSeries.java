package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;
import java.util.Objects;

/**
 * One series of a matrix result: its labels and its points as parallel primitive arrays in time order. A point is a
 * float or, where {@link #histogram(int)} is not null, a native histogram.
 */
public final class RangeSeries {
    private final Labels labels;
    private final long[] timestamps;
    private final double[] values;
    private final FloatHistogram[] histograms;

    public RangeSeries(Labels labels, long[] timestamps, double[] values) {
        this(labels, timestamps, values, null);
    }

    /** {@code histograms} may be null (no histogram points) or hold null for float points. */
    public RangeSeries(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms) {
        if (timestamps.length != values.length || histograms != null && histograms.length != values.length) {
            throw new IllegalArgumentException("timestamps, values and histograms differ in length");
        }
        this.labels = Objects.requireNonNull(labels, "labels");
        this.timestamps = timestamps;
        this.values = values;
        this.histograms = histograms;
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

    /** The native histogram of point {@code index}; null for a float point. */
    public FloatHistogram histogram(int index) {
        return histograms == null ? null : histograms[index];
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder().append(labels).append(" =>");
        for (int i = 0; i < timestamps.length; i++) {
            out.append(' ').append(histogram(i) != null ? histogram(i) : values[i]).append(" @").append(timestamps[i]);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RangeSeries that && labels.equals(that.labels)
                && Arrays.equals(timestamps, that.timestamps) && Arrays.equals(values, that.values)
                && Arrays.equals(histograms, that.histograms);
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + Arrays.hashCode(timestamps);
    }
}
