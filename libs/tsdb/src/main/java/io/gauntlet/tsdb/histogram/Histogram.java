package io.gauntlet.tsdb.histogram;

import java.util.Arrays;

/**
 * An integer native histogram sample (Prometheus {@code histogram.Histogram}): counts are integers and each bucket
 * list holds the first bucket's count, then the difference of every bucket to the one before it. A staleness marker
 * is a histogram whose sum is the staleness NaN. The arrays are shared, not copied: treat them as read-only.
 */
public final class Histogram {
    private static final long[] NO_BUCKETS = new long[0];

    private final CounterResetHint counterResetHint;
    private final int schema;
    private final double zeroThreshold;
    private final long zeroCount;
    private final long count;
    private final double sum;
    private final Span[] positiveSpans;
    private final long[] positiveBuckets;
    private final Span[] negativeSpans;
    private final long[] negativeBuckets;

    public Histogram(CounterResetHint counterResetHint, int schema, double zeroThreshold, long zeroCount, long count,
                     double sum, Span[] positiveSpans, long[] positiveBuckets, Span[] negativeSpans, long[] negativeBuckets) {
        this.counterResetHint = counterResetHint == null ? CounterResetHint.UNKNOWN : counterResetHint;
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.zeroCount = zeroCount;
        this.count = count;
        this.sum = sum;
        this.positiveSpans = positiveSpans == null ? Span.NONE : positiveSpans;
        this.positiveBuckets = positiveBuckets == null ? NO_BUCKETS : positiveBuckets;
        this.negativeSpans = negativeSpans == null ? Span.NONE : negativeSpans;
        this.negativeBuckets = negativeBuckets == null ? NO_BUCKETS : negativeBuckets;
        if (Span.bucketCount(this.positiveSpans) != this.positiveBuckets.length
                || Span.bucketCount(this.negativeSpans) != this.negativeBuckets.length) {
            throw new IllegalArgumentException("spans describe " + Span.bucketCount(this.positiveSpans) + " positive and "
                    + Span.bucketCount(this.negativeSpans) + " negative buckets, but " + this.positiveBuckets.length + " and "
                    + this.negativeBuckets.length + " are given");
        }
    }

    /** A staleness marker: only the sum (the staleness NaN) counts. */
    public static Histogram staleMarker(double staleNaN) {
        return new Histogram(CounterResetHint.UNKNOWN, 0, 0, 0, 0, staleNaN, null, null, null, null);
    }

    public CounterResetHint counterResetHint() {
        return counterResetHint;
    }

    public int schema() {
        return schema;
    }

    public double zeroThreshold() {
        return zeroThreshold;
    }

    public long zeroCount() {
        return zeroCount;
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    public Span[] positiveSpans() {
        return positiveSpans;
    }

    /** Delta-encoded: the first bucket's count, then each bucket minus the one before. */
    public long[] positiveBuckets() {
        return positiveBuckets;
    }

    public Span[] negativeSpans() {
        return negativeSpans;
    }

    public long[] negativeBuckets() {
        return negativeBuckets;
    }

    public Histogram withCounterResetHint(CounterResetHint hint) {
        return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum, positiveSpans, positiveBuckets,
                negativeSpans, negativeBuckets);
    }

    public Histogram withLayout(Span[] positive, long[] positiveDeltas, Span[] negative, long[] negativeDeltas) {
        return new Histogram(counterResetHint, schema, zeroThreshold, zeroCount, count, sum, positive, positiveDeltas,
                negative, negativeDeltas);
    }

    /** The same histogram with float counts and absolute bucket counts. */
    public FloatHistogram toFloat() {
        FloatHistogram result = new FloatHistogram();
        result.set(counterResetHint, schema, zeroThreshold, zeroCount, count, sum, positiveSpans, absoluteCounts(positiveBuckets),
                negativeSpans, absoluteCounts(negativeBuckets));
        return result;
    }

    /** Absolute bucket counts of delta-encoded buckets. */
    public static double[] absoluteCounts(long[] deltas) {
        double[] counts = new double[deltas.length];
        long current = 0;
        for (int i = 0; i < deltas.length; i++) {
            current += deltas[i];
            counts[i] = current;
        }
        return counts;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Histogram that && counterResetHint == that.counterResetHint && schema == that.schema
                && Double.doubleToRawLongBits(zeroThreshold) == Double.doubleToRawLongBits(that.zeroThreshold)
                && zeroCount == that.zeroCount && count == that.count
                && Double.doubleToRawLongBits(sum) == Double.doubleToRawLongBits(that.sum)
                && Arrays.equals(positiveSpans, that.positiveSpans) && Arrays.equals(positiveBuckets, that.positiveBuckets)
                && Arrays.equals(negativeSpans, that.negativeSpans) && Arrays.equals(negativeBuckets, that.negativeBuckets);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Double.hashCode(sum);
    }

    @Override
    public String toString() {
        return "Histogram{hint=" + counterResetHint + ", schema=" + schema + ", zeroThreshold=" + zeroThreshold
                + ", zeroCount=" + zeroCount + ", count=" + count + ", sum=" + sum + ", positive="
                + Arrays.toString(positiveSpans) + Arrays.toString(positiveBuckets) + ", negative="
                + Arrays.toString(negativeSpans) + Arrays.toString(negativeBuckets) + "}";
    }
}
