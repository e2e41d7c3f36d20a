package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges sorted series sets (one per block, in block time order) into one sorted set: series with equal labels become
 * one series whose samples are chained by time. A handful of blocks makes a linear scan cheaper than a heap.
 */
final class MergedSeriesSet implements SeriesSet {
    private final SeriesSet[] sets;
    private final boolean[] hasSeries;
    private boolean started;
    private Series current;

    MergedSeriesSet(List<SeriesSet> sets) {
        this.sets = sets.toArray(SeriesSet[]::new);
        this.hasSeries = new boolean[this.sets.length];
    }

    @Override
    public boolean next() throws StorageException {
        if (!started) {
            for (int i = 0; i < sets.length; i++) {
                hasSeries[i] = sets[i].next();
            }
            started = true;
        } else if (current != null) {
            Labels previous = current.labels();
            for (int i = 0; i < sets.length; i++) {
                if (hasSeries[i] && sets[i].at().labels().equals(previous)) {
                    hasSeries[i] = sets[i].next();
                }
            }
        }
        Labels lowest = null;
        for (int i = 0; i < sets.length; i++) {
            if (hasSeries[i] && (lowest == null || Utf8Order.compare(sets[i].at().labels(), lowest) < 0)) {
                lowest = sets[i].at().labels();
            }
        }
        if (lowest == null) {
            current = null;
            return false;
        }
        List<Series> same = new ArrayList<>(2);
        for (int i = 0; i < sets.length; i++) {
            if (hasSeries[i] && sets[i].at().labels().equals(lowest)) {
                same.add(sets[i].at());
            }
        }
        current = same.size() == 1 ? same.getFirst() : new ChainedSeries(lowest, same.toArray(Series[]::new));
        return true;
    }

    @Override
    public Series at() {
        if (current == null) {
            throw new IllegalStateException("no current series: call next() first");
        }
        return current;
    }

    @Override
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (SeriesSet set : sets) {
            warnings.addAll(set.warnings());
        }
        return warnings;
    }

    /** One series present in several blocks. */
    record ChainedSeries(Labels labels, Series[] parts) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            SampleIterator[] iterators = new SampleIterator[parts.length];
            for (int i = 0; i < parts.length; i++) {
                iterators[i] = parts[i].iterator(null);
            }
            return new ChainedSampleIterator(iterators);
        }
    }

    /**
     * Chains iterators by timestamp; when several hold the same timestamp the first (earliest block) wins and the
     * others skip it, like Prometheus' chain sample iterator.
     */
    static final class ChainedSampleIterator implements SampleIterator {
        private final SampleIterator[] iterators;
        private final boolean[] valid;
        private boolean started;
        private int current = -1;

        ChainedSampleIterator(SampleIterator[] iterators) {
            this.iterators = iterators;
            this.valid = new boolean[iterators.length];
        }

        @Override
        public boolean next() throws StorageException {
            if (!started) {
                for (int i = 0; i < iterators.length; i++) {
                    valid[i] = iterators[i].next();
                }
                started = true;
            } else if (current >= 0) {
                long t = iterators[current].timestamp();
                for (int i = 0; i < iterators.length; i++) {
                    if (valid[i] && iterators[i].timestamp() == t) {
                        valid[i] = iterators[i].next();
                    }
                }
            } else {
                return false;
            }
            return pick();
        }

        @Override
        public boolean seek(long t) throws StorageException {
            if (started && current >= 0 && iterators[current].timestamp() >= t) {
                return true;
            }
            if (started && current < 0) {
                return false;
            }
            for (int i = 0; i < iterators.length; i++) {
                if (valid[i] || !started) {
                    valid[i] = iterators[i].seek(t);
                }
            }
            started = true;
            return pick();
        }

        private boolean pick() {
            current = -1;
            long lowest = Long.MAX_VALUE;
            for (int i = 0; i < iterators.length; i++) {
                if (valid[i] && (current < 0 || iterators[i].timestamp() < lowest)) {
                    lowest = iterators[i].timestamp();
                    current = i;
                }
            }
            return current >= 0;
        }

        @Override
        public long timestamp() {
            if (current < 0) {
                throw new IllegalStateException("no current sample");
            }
            return iterators[current].timestamp();
        }

        @Override
        public double value() {
            if (current < 0) {
                throw new IllegalStateException("no current sample");
            }
            return iterators[current].value();
        }

        @Override
        public io.gauntlet.tsdb.storage.SampleType sampleType() {
            if (current < 0) {
                throw new IllegalStateException("no current sample");
            }
            return iterators[current].sampleType();
        }

        @Override
        public io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
            if (current < 0) {
                throw new IllegalStateException("no current sample");
            }
            return iterators[current].floatHistogram();
        }

        @Override
        public io.gauntlet.tsdb.histogram.Histogram histogram() {
            if (current < 0) {
                throw new IllegalStateException("no current sample");
            }
            return iterators[current].histogram();
        }
    }
}
