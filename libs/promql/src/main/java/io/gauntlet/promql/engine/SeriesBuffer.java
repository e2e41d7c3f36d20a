package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import java.util.Arrays;

/** A growable series inside the evaluator: labels plus points as parallel primitive arrays in time order. */
final class SeriesBuffer {
    final Labels labels;
    long[] timestamps;
    double[] values;
    int size;

    SeriesBuffer(Labels labels, int capacity) {
        this.labels = labels;
        int initial = Math.max(1, capacity);
        this.timestamps = new long[initial];
        this.values = new double[initial];
    }

    SeriesBuffer(Labels labels, long[] timestamps, double[] values, int size) {
        this.labels = labels;
        this.timestamps = timestamps;
        this.values = values;
        this.size = size;
    }

    void add(long timestamp, double value) {
        if (size == timestamps.length) {
            int capacity = size * 2;
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        timestamps[size] = timestamp;
        values[size] = value;
        size++;
    }

    SeriesBuffer withLabels(Labels newLabels) {
        return new SeriesBuffer(newLabels, timestamps, values, size);
    }

    /** Called once evaluation is over: a full buffer hands its arrays over instead of copying them. */
    RangeSeries toRangeSeries() {
        if (size == timestamps.length) {
            return new RangeSeries(labels, timestamps, values);
        }
        return new RangeSeries(labels, Arrays.copyOf(timestamps, size), Arrays.copyOf(values, size));
    }
}
