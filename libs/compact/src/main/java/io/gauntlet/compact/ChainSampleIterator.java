package io.gauntlet.compact;

import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * Prometheus' chain merge of overlapping sample streams: the union of all timestamps in order; where several streams
 * have a sample at the same timestamp the first stream's value wins and the others are dropped.
 */
final class ChainSampleIterator implements SampleIterator {
    private final SampleIterator[] inputs;
    private final boolean[] has;
    private boolean started;
    private int current = -1;

    ChainSampleIterator(List<? extends SampleIterator> inputs) {
        this.inputs = inputs.toArray(SampleIterator[]::new);
        this.has = new boolean[this.inputs.length];
    }

    @Override
    public boolean next() throws StorageException {
        if (!started) {
            started = true;
            for (int i = 0; i < inputs.length; i++) {
                has[i] = inputs[i].next();
            }
        } else if (current >= 0) {
            long last = inputs[current].timestamp();
            for (int i = 0; i < inputs.length; i++) {
                // advance every stream standing on the sample just returned (duplicates are dropped)
                if (has[i] && inputs[i].timestamp() == last) {
                    has[i] = inputs[i].next();
                }
            }
        } else {
            return false;
        }
        current = -1;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < inputs.length; i++) {
            if (has[i] && inputs[i].timestamp() < best) {
                best = inputs[i].timestamp();
                current = i;
            }
        }
        return current >= 0;
    }

    @Override
    public boolean seek(long t) throws StorageException {
        if (started && current < 0) {
            return false;
        }
        if (started && inputs[current].timestamp() >= t) {
            return true;
        }
        while (next()) {
            if (timestamp() >= t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timestamp() {
        return inputs[current].timestamp();
    }

    @Override
    public double value() {
        return inputs[current].value();
    }

    @Override
    public io.gauntlet.tsdb.storage.SampleType sampleType() {
        return inputs[current].sampleType();
    }

    @Override
    public io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
        return inputs[current].floatHistogram();
    }

    @Override
    public io.gauntlet.tsdb.histogram.Histogram histogram() {
        return inputs[current].histogram();
    }
}
