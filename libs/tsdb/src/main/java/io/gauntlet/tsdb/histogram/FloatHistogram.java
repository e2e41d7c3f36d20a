package io.gauntlet.tsdb.histogram;

import java.util.Arrays;

/**
 * A float native histogram (Prometheus {@code histogram.FloatHistogram}): counts are floats and bucket arrays hold
 * absolute counts. It is a reusable holder: iterators fill one in place with {@link #set} so that decoding allocates
 * nothing per sample, and whoever keeps a value beyond the next sample takes a {@link #copy()}. The arrays are shared
 * with {@code set}'s caller, not copied.
 */
public final class FloatHistogram {
    private static final double[] NO_BUCKETS = new double[0];

    private CounterResetHint counterResetHint = CounterResetHint.UNKNOWN;
    private int schema;
    private double zeroThreshold;
    private double zeroCount;
    private double count;
    private double sum;
    private Span[] positiveSpans = Span.NONE;
    private double[] positiveBuckets = NO_BUCKETS;
    private Span[] negativeSpans = Span.NONE;
    private double[] negativeBuckets = NO_BUCKETS;

    /** Replaces every field; the arrays are taken as they are (spans must describe as many buckets as given). */
    public FloatHistogram set(CounterResetHint counterResetHint, int schema, double zeroThreshold, double zeroCount,
                              double count, double sum, Span[] positiveSpans, double[] positiveBuckets,
                              Span[] negativeSpans, double[] negativeBuckets) {
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
        return this;
    }

    /** A staleness marker: only the sum (the staleness NaN) counts. */
    public static FloatHistogram staleMarker(double staleNaN) {
        return new FloatHistogram().set(CounterResetHint.UNKNOWN, 0, 0, 0, 0, staleNaN, null, null, null, null);
    }

    public FloatHistogram copy() {
        return new FloatHistogram().set(counterResetHint, schema, zeroThreshold, zeroCount, count, sum, positiveSpans.clone(),
                positiveBuckets.clone(), negativeSpans.clone(), negativeBuckets.clone());
    }

    public CounterResetHint counterResetHint() {
        return counterResetHint;
    }

    public FloatHistogram counterResetHint(CounterResetHint hint) {
        this.counterResetHint = hint;
        return this;
    }

    public int schema() {
        return schema;
    }

    public double zeroThreshold() {
        return zeroThreshold;
    }

    public double zeroCount() {
        return zeroCount;
    }

    public double count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    public Span[] positiveSpans() {
        return positiveSpans;
    }

    /** Absolute counts, one per bucket of {@link #positiveSpans()}. */
    public double[] positiveBuckets() {
        return positiveBuckets;
    }

    public Span[] negativeSpans() {
        return negativeSpans;
    }

    public double[] negativeBuckets() {
        return negativeBuckets;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FloatHistogram that && counterResetHint == that.counterResetHint && schema == that.schema
                && bitsEqual(zeroThreshold, that.zeroThreshold) && bitsEqual(zeroCount, that.zeroCount)
                && bitsEqual(count, that.count) && bitsEqual(sum, that.sum)
                && Arrays.equals(positiveSpans, that.positiveSpans) && Arrays.equals(positiveBuckets, that.positiveBuckets)
                && Arrays.equals(negativeSpans, that.negativeSpans) && Arrays.equals(negativeBuckets, that.negativeBuckets);
    }

    private static boolean bitsEqual(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(count) * 31 + Double.hashCode(sum);
    }

    @Override
    public String toString() {
        return "FloatHistogram{hint=" + counterResetHint + ", schema=" + schema + ", zeroThreshold=" + zeroThreshold
                + ", zeroCount=" + zeroCount + ", count=" + count + ", sum=" + sum + ", positive="
                + Arrays.toString(positiveSpans) + Arrays.toString(positiveBuckets) + ", negative="
                + Arrays.toString(negativeSpans) + Arrays.toString(negativeBuckets) + "}";
    }
}
