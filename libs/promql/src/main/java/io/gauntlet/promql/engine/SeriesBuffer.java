package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;

/**
 * A growable series inside the evaluator: labels plus points as parallel primitive arrays in time order. A point may
 * carry a native histogram ({@code histograms[i] != null}); as in Prometheus 2.42 its float value stays beside it (0 for
 * a selected histogram) and every operation that only looks at floats sees that value. {@code histograms} is null until
 * the first histogram point, so float series cost nothing more.
 */
final class SeriesBuffer {
    final Labels labels;
    long[] timestamps;
    double[] values;
    FloatHistogram[] histograms;
    int size;

    SeriesBuffer(Labels labels, int capacity) {
        this.labels = labels;
        int initial = Math.max(1, capacity);
        this.timestamps = new long[initial];
        this.values = new double[initial];
    }

    SeriesBuffer(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms, int size) {
        this.labels = labels;
        this.timestamps = timestamps;
        this.values = values;
        this.histograms = histograms;
        this.size = size;
    }

    void add(long timestamp, double value) {
        if (size == timestamps.length) {
            grow();
        }
        timestamps[size] = timestamp;
        values[size] = value;
        size++;
    }

    void add(long timestamp, double value, FloatHistogram histogram) {
        if (histogram == null && histograms == null) {
            add(timestamp, value);
            return;
        }
        if (size == timestamps.length) {
            grow();
        }
        if (histograms == null) {
            histograms = new FloatHistogram[timestamps.length];
        }
        timestamps[size] = timestamp;
        values[size] = value;
        histograms[size] = histogram;
        size++;
    }

    private void grow() {
        int capacity = Math.max(16, size * 2);
        timestamps = Arrays.copyOf(timestamps, capacity);
        values = Arrays.copyOf(values, capacity);
        if (histograms != null) {
            histograms = Arrays.copyOf(histograms, capacity);
        }
    }

    /** The histogram of point {@code index}, null for a float point. */
    FloatHistogram histogram(int index) {
        return histograms == null ? null : histograms[index];
    }

    /** This buffer's points in arrays of their exact size (no growth slack), under {@code newLabels}. */
    SeriesBuffer trimmedCopy(Labels newLabels) {
        FloatHistogram[] keptHistograms = null;
        for (int i = 0; histograms != null && i < size; i++) {
            if (histograms[i] != null) {
                keptHistograms = Arrays.copyOf(histograms, size);
                break;
            }
        }
        return new SeriesBuffer(newLabels, Arrays.copyOf(timestamps, size), Arrays.copyOf(values, size), keptHistograms, size);
    }

    /** Empties the buffer for reuse, keeping its arrays. */
    void clear() {
        if (histograms != null) {
            Arrays.fill(histograms, 0, size, null);
        }
        size = 0;
    }

    SeriesBuffer withLabels(Labels newLabels) {
        return new SeriesBuffer(newLabels, timestamps, values, histograms, size);
    }

    /** Called once evaluation is over: a full buffer hands its arrays over instead of copying them. */
    RangeSeries toRangeSeries() {
        if (size == timestamps.length) {
            return new RangeSeries(labels, timestamps, values, histograms);
        }
        return new RangeSeries(labels, Arrays.copyOf(timestamps, size), Arrays.copyOf(values, size),
                histograms == null ? null : Arrays.copyOf(histograms, size));
    }
}
