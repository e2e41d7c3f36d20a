package io.gauntlet.promql.engine.storage;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Series held in memory as primitive arrays, sorted by labels: the storage behind the golden tests, unit tests and
 * benchmarks. Appends go through {@link #append}; each select copies the matching series trimmed to the querier's range.
 */
public final class InMemoryQueryable implements Queryable {
    private final TreeMap<Labels, MutableSeries> series = new TreeMap<>();
    private final List<SelectHints> recordedHints = new CopyOnWriteArrayList<>();

    /**
     * Appends one sample. Timestamps of a series must increase; a sample at the newest timestamp replaces it (the
     * golden files never rely on that, but a repeated load should not fail).
     */
    public synchronized void append(Labels labels, long timestamp, double value) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        series.computeIfAbsent(labels, MutableSeries::new).append(timestamp, value);
    }

    /** Appends one native histogram sample (kept as given: do not change it afterwards). */
    public synchronized void appendHistogram(Labels labels, long timestamp, FloatHistogram histogram) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        series.computeIfAbsent(labels, MutableSeries::new).append(timestamp, 0, histogram);
    }

    /** Drops every series (the golden language's {@code clear}). */
    public synchronized void clear() {
        series.clear();
        recordedHints.clear();
    }

    public synchronized int seriesCount() {
        return series.size();
    }

    /** The hints of every select so far, in order (for tests of the engine's hints). */
    public List<SelectHints> recordedHints() {
        return List.copyOf(recordedHints);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new RangeQuerier(mint, maxt);
    }

    /** Copies the matching series, trimmed to [mint, maxt], under the lock: later appends do not show. */
    private synchronized List<FrozenSeries> select(List<LabelMatcher> matchers, long mint, long maxt) {
        List<FrozenSeries> matching = new ArrayList<>();
        for (MutableSeries s : series.values()) {
            boolean all = true;
            for (LabelMatcher matcher : matchers) {
                if (!matcher.matches(s.labels)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                FrozenSeries frozen = s.freeze(mint, maxt);
                if (frozen != null) {
                    matching.add(frozen);
                }
            }
        }
        return matching;
    }

    private static final class MutableSeries {
        private final Labels labels;
        private long[] timestamps = new long[8];
        private double[] values = new double[8];
        private FloatHistogram[] histograms;
        private int size;

        MutableSeries(Labels labels) {
            this.labels = labels;
        }

        void append(long timestamp, double value) {
            append(timestamp, value, null);
        }

        void append(long timestamp, double value, FloatHistogram histogram) {
            if (histogram != null && histograms == null) {
                histograms = new FloatHistogram[timestamps.length];
            }
            if (size > 0 && timestamp <= timestamps[size - 1]) {
                if (timestamp == timestamps[size - 1]) {
                    values[size - 1] = value;
                    if (histograms != null) {
                        histograms[size - 1] = histogram;
                    }
                    return;
                }
                throw new IllegalArgumentException("out of order sample for " + labels + ": " + timestamp
                        + " after " + timestamps[size - 1]);
            }
            if (size == timestamps.length) {
                timestamps = Arrays.copyOf(timestamps, size * 2);
                values = Arrays.copyOf(values, size * 2);
                if (histograms != null) {
                    histograms = Arrays.copyOf(histograms, size * 2);
                }
            }
            timestamps[size] = timestamp;
            values[size] = value;
            if (histograms != null) {
                histograms[size] = histogram;
            }
            size++;
        }

        FrozenSeries freeze(long mint, long maxt) {
            int from = lowerBound(mint);
            int to = maxt == Long.MAX_VALUE ? size : lowerBound(maxt + 1);
            if (from >= to) {
                return null;
            }
            return new FrozenSeries(labels, Arrays.copyOfRange(timestamps, from, to), Arrays.copyOfRange(values, from, to),
                    histograms == null ? null : Arrays.copyOfRange(histograms, from, to));
        }

        private int lowerBound(long t) {
            int low = 0;
            int high = size;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (timestamps[mid] < t) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }
    }

    private record FrozenSeries(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms)
            implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            ArrayIterator iterator = reuse instanceof ArrayIterator reused ? reused : new ArrayIterator();
            iterator.reset(timestamps, values, histograms);
            return iterator;
        }
    }

    private static final class ArrayIterator implements SampleIterator {
        private long[] timestamps;
        private double[] values;
        private FloatHistogram[] histograms;
        private int index;

        void reset(long[] newTimestamps, double[] newValues, FloatHistogram[] newHistograms) {
            timestamps = newTimestamps;
            values = newValues;
            histograms = newHistograms;
            index = -1;
        }

        @Override
        public SampleType sampleType() {
            return histograms != null && histograms[index] != null ? SampleType.FLOAT_HISTOGRAM : SampleType.FLOAT;
        }

        @Override
        public FloatHistogram floatHistogram() {
            if (histograms == null || histograms[index] == null) {
                throw new IllegalStateException("the current sample is a float, not a histogram");
            }
            return histograms[index];
        }

        @Override
        public boolean next() {
            if (index < timestamps.length) {
                index++;
            }
            return index < timestamps.length;
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

    private final class RangeQuerier implements Querier {
        private final long mint;
        private final long maxt;

        RangeQuerier(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) {
            if (hints != null) {
                recordedHints.add(hints);
            }
            List<FrozenSeries> matching = InMemoryQueryable.this.select(matchers, mint, maxt);
            return new SeriesSet() {
                private int index = -1;

                @Override
                public boolean next() {
                    if (index < matching.size()) {
                        index++;
                    }
                    return index < matching.size();
                }

                @Override
                public Series at() {
                    return matching.get(index);
                }
            };
        }

        @Override
        public List<String> labelValues(String name, List<LabelMatcher> matchers) {
            TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
            for (FrozenSeries s : InMemoryQueryable.this.select(matchers, mint, maxt)) {
                String value = s.labels().get(name);
                if (!value.isEmpty()) {
                    values.add(value);
                }
            }
            return List.copyOf(values);
        }

        @Override
        public List<String> labelNames(List<LabelMatcher> matchers) {
            TreeSet<String> names = new TreeSet<>(Labels::compareStrings);
            for (FrozenSeries s : InMemoryQueryable.this.select(matchers, mint, maxt)) {
                names.addAll(s.labels().names());
            }
            return List.copyOf(names);
        }

        @Override
        public void close() {
        }
    }

    /** For debugging: every series as text. */
    @Override
    public synchronized String toString() {
        Map<String, Integer> counts = new TreeMap<>();
        series.forEach((labels, s) -> counts.put(labels.toString(), s.size));
        return "InMemoryQueryable" + counts;
    }
}
