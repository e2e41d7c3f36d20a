package io.gauntlet.store;

import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/** Samples from arrays, and collecting an iterator back into "t=v" strings for readable assertions. */
final class ArraySamples implements SampleIterator {
    private final long[] timestamps;
    private final double[] values;
    private int index = -1;

    ArraySamples(long[] timestamps, double[] values) {
        this.timestamps = timestamps;
        this.values = values;
    }

    /** Samples every {@code step} ms from {@code start} to {@code end} inclusive, value = first + i. */
    static ArraySamples every(long start, long end, long step, double first) {
        int n = (int) ((end - start) / step) + 1;
        long[] t = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
            v[i] = first + i;
        }
        return new ArraySamples(t, v);
    }

    static ArraySamples of(long... timestampValuePairs) {
        long[] t = new long[timestampValuePairs.length / 2];
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timestampValuePairs[2 * i];
            v[i] = timestampValuePairs[2 * i + 1];
        }
        return new ArraySamples(t, v);
    }

    /** Alternating timestamp, value. */
    static ArraySamples pairs(double... timestampValuePairs) {
        long[] t = new long[timestampValuePairs.length / 2];
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (long) timestampValuePairs[2 * i];
            v[i] = timestampValuePairs[2 * i + 1];
        }
        return new ArraySamples(t, v);
    }

    static List<String> drain(SampleIterator iterator) throws StorageException {
        List<String> out = new ArrayList<>();
        while (iterator.next()) {
            out.add(iterator.timestamp() + "=" + format(iterator.value()));
        }
        return out;
    }

    static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    @Override
    public boolean next() {
        if (index + 1 >= timestamps.length) {
            index = timestamps.length;
            return false;
        }
        index++;
        return true;
    }

    @Override
    public boolean seek(long t) {
        if (index < 0) {
            index = 0;
        }
        while (index < timestamps.length && timestamps[index] < t) {
            index++;
        }
        return index < timestamps.length;
    }

    @Override
    public long timestamp() {
        return timestamps[index];
    }

    @Override
    public double value() {
        return values[index];
    }
}
