package io.gauntlet.store;

import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * Merges the samples of HA replicas of one series with the Thanos penalty algorithm ({@code pkg/dedup/iter.go}).
 * Both replicas seek to {@code lastT + 1 + penalty}; the earlier sample wins (ties go to the first replica); the
 * loser's penalty becomes {@code 2 × (t − lastT)}, or 5000 ms before any sample was taken, so that a replica is only
 * switched to across a real gap and the merged series keeps the scrape interval. More than two replicas are merged
 * pairwise. The counter variant (for rate, irate, increase, resets) adds an offset to a replica it switches to
 * when that replica's value is lower than the last returned one, so the merged counter does not appear to reset.
 */
public final class PenaltyDeduplicator implements SampleIterator {
    static final long INITIAL_PENALTY = 5000;

    private final Adjustable a;
    private final Adjustable b;
    private boolean started;
    private boolean hasA;
    private boolean hasB;
    private boolean useA = true;
    private boolean current; // a sample is current
    private long lastT = Long.MIN_VALUE;
    private long penaltyA;
    private long penaltyB;

    private PenaltyDeduplicator(Adjustable a, Adjustable b) {
        this.a = a;
        this.b = b;
    }

    /** One iterator over all replicas (at least one). */
    public static SampleIterator of(List<? extends SampleIterator> replicas, boolean counter) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("deduplication needs at least one replica");
        }
        if (replicas.size() == 1) {
            return replicas.getFirst();
        }
        Adjustable merged = wrap(replicas.getFirst(), counter);
        for (SampleIterator replica : replicas.subList(1, replicas.size())) {
            merged = new Pair(new PenaltyDeduplicator(merged, wrap(replica, counter)));
        }
        return ((Pair) merged).deduplicator;
    }

    /** Whether a PromQL function treats its input as a counter, so the counter variant applies. */
    public static boolean isCounterFunction(String function) {
        return switch (function) {
            case "increase", "rate", "irate", "resets" -> true;
            default -> false;
        };
    }

    @Override
    public boolean next() throws StorageException {
        if (!started) {
            started = true;
            hasA = a.next();
            hasB = b.next();
        }
        boolean wasCurrent = current;
        // only float counters are lifted on a replica switch; histogram samples pass as they are (as in Thanos)
        boolean lastIsFloat = wasCurrent && !sampleType().isHistogram();
        double lastValue = lastIsFloat ? value() : 0;
        boolean lastUseA = useA;
        boolean result = advance();
        if (lastIsFloat && result && useA != lastUseA) {
            // switched replicas: a counter must not go down because of it
            if (hasA) {
                a.adjust(lastValue);
            }
            if (hasB) {
                b.adjust(lastValue);
            }
        }
        return result;
    }

    private boolean advance() throws StorageException {
        if (hasA) {
            hasA = a.seek(lastT + 1 + penaltyA);
        }
        if (hasB) {
            hasB = b.seek(lastT + 1 + penaltyB);
        }
        if (!hasA) {
            useA = false;
            if (hasB) {
                lastT = b.timestamp();
                penaltyB = 0;
            }
            return current = hasB;
        }
        if (!hasB) {
            useA = true;
            lastT = a.timestamp();
            penaltyA = 0;
            return current = true;
        }
        long ta = a.timestamp();
        long tb = b.timestamp();
        useA = ta <= tb;
        long t = useA ? ta : tb;
        long penalty = lastT != Long.MIN_VALUE ? 2 * (t - lastT) : INITIAL_PENALTY;
        if (useA) {
            penaltyB = penalty;
            penaltyA = 0;
        } else {
            penaltyA = penalty;
            penaltyB = 0;
        }
        lastT = t;
        return current = true;
    }

    /** Walks with {@link #next()} rather than seeking the replicas, so gaps are not skipped over. */
    @Override
    public boolean seek(long t) throws StorageException {
        if (current && timestamp() >= t) {
            return true;
        }
        if (started && !current) {
            return false;
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
        return useA ? a.timestamp() : b.timestamp();
    }

    @Override
    public double value() {
        return useA ? a.value() : b.value();
    }

    @Override
    public io.gauntlet.tsdb.storage.SampleType sampleType() {
        return useA ? a.sampleType() : b.sampleType();
    }

    @Override
    public io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
        return useA ? a.floatHistogram() : b.floatHistogram();
    }

    @Override
    public io.gauntlet.tsdb.histogram.Histogram histogram() {
        return useA ? a.histogram() : b.histogram();
    }

    private void adjustCurrent(double lastValue) {
        if (hasA) {
            a.adjust(lastValue);
        }
        if (hasB) {
            b.adjust(lastValue);
        }
    }

    private static Adjustable wrap(SampleIterator iterator, boolean counter) {
        return counter ? new CounterAdjusted(iterator) : new Plain(iterator);
    }

    /** A replica whose current value may be lifted so that a counter does not go down. */
    private abstract static class Adjustable implements SampleIterator {
        private final SampleIterator it;

        Adjustable(SampleIterator it) {
            this.it = it;
        }

        @Override
        public final boolean next() throws StorageException {
            return it.next();
        }

        @Override
        public final boolean seek(long t) throws StorageException {
            return it.seek(t);
        }

        @Override
        public final long timestamp() {
            return it.timestamp();
        }

        @Override
        public double value() {
            return it.value();
        }

        @Override
        public final io.gauntlet.tsdb.storage.SampleType sampleType() {
            return it.sampleType();
        }

        @Override
        public final io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
            return it.floatHistogram();
        }

        @Override
        public final io.gauntlet.tsdb.histogram.Histogram histogram() {
            return it.histogram();
        }

        abstract void adjust(double lastValue);
    }

    private static final class Plain extends Adjustable {
        Plain(SampleIterator it) {
            super(it);
        }

        @Override
        void adjust(double lastValue) {
        }
    }

    /** Thanos' counterErrAdjustSeriesIterator: remembers how far behind this replica's counter is. */
    private static final class CounterAdjusted extends Adjustable {
        private double offset;

        CounterAdjusted(SampleIterator it) {
            super(it);
        }

        @Override
        public double value() {
            return super.value() + offset;
        }

        @Override
        void adjust(double lastValue) {
            if (sampleType().isHistogram()) {
                return;
            }
            double value = value();
            if (lastValue > value) {
                offset += lastValue - value;
            }
        }
    }

    /** A deduplicator used as one side of the next pairwise merge. */
    private static final class Pair extends Adjustable {
        private final PenaltyDeduplicator deduplicator;

        Pair(PenaltyDeduplicator deduplicator) {
            super(deduplicator);
            this.deduplicator = deduplicator;
        }

        @Override
        void adjust(double lastValue) {
            deduplicator.adjustCurrent(lastValue);
        }
    }
}
