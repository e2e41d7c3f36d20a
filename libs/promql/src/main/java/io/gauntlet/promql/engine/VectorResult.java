package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;

/**
 * An instant vector: one value per series, all at the evaluation time. Parallel arrays so that large results carry
 * no per-sample objects. The order is the order the engine produced (Prometheus does not sort instant vectors).
 */
public final class VectorResult implements QueryValue {
    private final long timestamp;
    private final Labels[] labels;
    private final double[] values;
    private final FloatHistogram[] histograms;

    public VectorResult(long timestamp, Labels[] labels, double[] values) {
        this(timestamp, labels, values, null);
    }

    /** {@code histograms} may be null (no histogram samples) or hold null for float samples. */
    public VectorResult(long timestamp, Labels[] labels, double[] values, FloatHistogram[] histograms) {
        if (labels.length != values.length || histograms != null && histograms.length != values.length) {
            throw new IllegalArgumentException("labels and values differ in length: " + labels.length + " vs " + values.length);
        }
        this.timestamp = timestamp;
        this.labels = labels;
        this.values = values;
        this.histograms = histograms;
    }

    public long timestamp() {
        return timestamp;
    }

    public int size() {
        return labels.length;
    }

    public Labels labels(int index) {
        return labels[index];
    }

    public double value(int index) {
        return values[index];
    }

    /** The native histogram of sample {@code index}; null for a float sample. */
    public FloatHistogram histogram(int index) {
        return histograms == null ? null : histograms[index];
    }

    @Override
    public String resultType() {
        return "vector";
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("vector@").append(timestamp).append('[');
        for (int i = 0; i < labels.length; i++) {
            out.append(i == 0 ? "" : ", ").append(labels[i]).append(" => ").append(histogram(i) != null ? histogram(i) : values[i]);
        }
        return out.append(']').toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VectorResult that && timestamp == that.timestamp && Arrays.equals(labels, that.labels)
                && Arrays.equals(values, that.values) && Arrays.equals(histograms, that.histograms);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + Arrays.hashCode(labels);
    }
}
