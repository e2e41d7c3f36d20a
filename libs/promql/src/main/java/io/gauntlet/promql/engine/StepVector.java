package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import java.util.Arrays;

/**
 * The instant vector of one step: parallel arrays reused from step to step. {@code origins} holds the index of the
 * input series a sample came from, so per-series data (signatures, grouping keys) is computed once per query.
 */
final class StepVector {
    Labels[] labels;
    double[] values;
    int[] origins;
    int size;

    StepVector(int capacity) {
        int initial = Math.max(4, capacity);
        labels = new Labels[initial];
        values = new double[initial];
        origins = new int[initial];
    }

    void clear() {
        Arrays.fill(labels, 0, size, null);
        size = 0;
    }

    void add(Labels sampleLabels, double value, int origin) {
        if (size == labels.length) {
            int capacity = size * 2;
            labels = Arrays.copyOf(labels, capacity);
            values = Arrays.copyOf(values, capacity);
            origins = Arrays.copyOf(origins, capacity);
        }
        labels[size] = sampleLabels;
        values[size] = value;
        origins[size] = origin;
        size++;
    }

    void add(Labels sampleLabels, double value) {
        add(sampleLabels, value, -1);
    }
}
