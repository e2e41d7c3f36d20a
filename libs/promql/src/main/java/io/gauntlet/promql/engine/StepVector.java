package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;

/**
 * The instant vector of one step: parallel arrays reused from step to step. {@code origins} holds the index of the
 * input series a sample came from, so per-series data (signatures, grouping keys) is computed once per query.
 * {@code histograms[i]} is the native histogram of sample i, null for a float sample.
 */
final class StepVector {
    Labels[] labels;
    double[] values;
    FloatHistogram[] histograms;
    int[] origins;
    int size;

    StepVector(int capacity) {
        int initial = Math.max(4, capacity);
        labels = new Labels[initial];
        values = new double[initial];
        histograms = new FloatHistogram[initial];
        origins = new int[initial];
    }

    void clear() {
        Arrays.fill(labels, 0, size, null);
        Arrays.fill(histograms, 0, size, null);
        size = 0;
    }

    void add(Labels sampleLabels, double value, FloatHistogram histogram, int origin) {
        if (size == labels.length) {
            int capacity = size * 2;
            labels = Arrays.copyOf(labels, capacity);
            values = Arrays.copyOf(values, capacity);
            histograms = Arrays.copyOf(histograms, capacity);
            origins = Arrays.copyOf(origins, capacity);
        }
        labels[size] = sampleLabels;
        values[size] = value;
        histograms[size] = histogram;
        origins[size] = origin;
        size++;
    }

    void add(Labels sampleLabels, double value, int origin) {
        add(sampleLabels, value, null, origin);
    }

    void add(Labels sampleLabels, double value) {
        add(sampleLabels, value, null, -1);
    }

    void add(Labels sampleLabels, double value, FloatHistogram histogram) {
        add(sampleLabels, value, histogram, -1);
    }
}
