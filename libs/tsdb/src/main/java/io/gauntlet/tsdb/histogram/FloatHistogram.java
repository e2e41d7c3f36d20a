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
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.zeroCount = zeroCount;
        this.count = count;
        this.sum = sum;
        // an iterator refills its view with the same arrays sample after sample: skipping those reference stores
        // (and their GC write barriers) is a measurable part of decoding
        CounterResetHint hint = counterResetHint == null ? CounterResetHint.UNKNOWN : counterResetHint;
        if (this.counterResetHint != hint) {
            this.counterResetHint = hint;
        }
        Span[] positive = positiveSpans == null ? Span.NONE : positiveSpans;
        if (this.positiveSpans != positive) {
            this.positiveSpans = positive;
        }
        double[] positiveCounts = positiveBuckets == null ? NO_BUCKETS : positiveBuckets;
        if (this.positiveBuckets != positiveCounts) {
            this.positiveBuckets = positiveCounts;
        }
        Span[] negative = negativeSpans == null ? Span.NONE : negativeSpans;
        if (this.negativeSpans != negative) {
            this.negativeSpans = negative;
        }
        double[] negativeCounts = negativeBuckets == null ? NO_BUCKETS : negativeBuckets;
        if (this.negativeBuckets != negativeCounts) {
            this.negativeBuckets = negativeCounts;
        }
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

    // ---- arithmetic as Prometheus 2.42's histogram.FloatHistogram does it (in place; copy() first to keep the input)

    /** The same histogram merged down to {@code targetSchema} (≤ its schema), as a new histogram. */
    public FloatHistogram copyToSchema(int targetSchema) {
        if (targetSchema == schema) {
            return copy();
        }
        if (targetSchema > schema) {
            throw new IllegalArgumentException("cannot copy from schema " + schema + " to " + targetSchema);
        }
        MutableBuckets positive = new MutableBuckets(Span.NONE, NO_BUCKETS);
        positive.addAll(BucketIterator.merging(positiveSpans, positiveBuckets, schema, targetSchema, 0), false);
        MutableBuckets negative = new MutableBuckets(Span.NONE, NO_BUCKETS);
        negative.addAll(BucketIterator.merging(negativeSpans, negativeBuckets, schema, targetSchema, 0), false);
        return new FloatHistogram().set(CounterResetHint.UNKNOWN, targetSchema, zeroThreshold, zeroCount, count, sum,
                positive.spans(), positive.buckets(), negative.spans(), negative.buckets());
    }

    /** Multiplies every count and the sum by {@code factor}. */
    public FloatHistogram scale(double factor) {
        zeroCount *= factor;
        count *= factor;
        sum *= factor;
        for (int i = 0; i < positiveBuckets.length; i++) {
            positiveBuckets[i] *= factor;
        }
        for (int i = 0; i < negativeBuckets.length; i++) {
            negativeBuckets[i] *= factor;
        }
        return this;
    }

    /** Divides every count and the sum by {@code divisor} (Prometheus' {@code Div}: a division, not a scaling by 1/x). */
    public FloatHistogram div(double divisor) {
        zeroCount /= divisor;
        count /= divisor;
        sum /= divisor;
        for (int i = 0; i < positiveBuckets.length; i++) {
            positiveBuckets[i] /= divisor;
        }
        for (int i = 0; i < negativeBuckets.length; i++) {
            negativeBuckets[i] /= divisor;
        }
        return this;
    }

    /**
     * Adds {@code other} bucket by bucket; its schema must be ≥ this one's. Zero thresholds are reconciled first (the
     * wider one wins, growing to the next bucket boundary when it cuts a populated bucket).
     */
    public FloatHistogram add(FloatHistogram other) {
        return addOrSubtract(other, false);
    }

    /** Like {@link #add} but subtracts. */
    public FloatHistogram sub(FloatHistogram other) {
        return addOrSubtract(other, true);
    }

    private FloatHistogram addOrSubtract(FloatHistogram other, boolean subtract) {
        if (other.schema < schema) {
            throw new IllegalArgumentException("cannot add a histogram of schema " + other.schema + " to one of " + schema);
        }
        double otherZeroCount = reconcileZeroBuckets(other);
        zeroCount = subtract ? zeroCount - otherZeroCount : zeroCount + otherZeroCount;
        count = subtract ? count - other.count : count + other.count;
        sum = subtract ? sum - other.sum : sum + other.sum;
        MutableBuckets positive = new MutableBuckets(positiveSpans, positiveBuckets);
        positive.addAll(BucketIterator.merging(other.positiveSpans, other.positiveBuckets, other.schema, schema,
                zeroThreshold), subtract);
        MutableBuckets negative = new MutableBuckets(negativeSpans, negativeBuckets);
        negative.addAll(BucketIterator.merging(other.negativeSpans, other.negativeBuckets, other.schema, schema,
                zeroThreshold), subtract);
        positiveSpans = positive.spans();
        positiveBuckets = positive.buckets();
        negativeSpans = negative.spans();
        negativeBuckets = negative.buckets();
        return this;
    }

    /** Drops empty buckets: spans then hold only populated runs (Prometheus' {@code Compact(0)}). */
    public FloatHistogram compact() {
        MutableBuckets positive = MutableBuckets.withoutEmpty(positiveSpans, positiveBuckets);
        MutableBuckets negative = MutableBuckets.withoutEmpty(negativeSpans, negativeBuckets);
        positiveSpans = positive.spans();
        positiveBuckets = positive.buckets();
        negativeSpans = negative.spans();
        negativeBuckets = negative.buckets();
        return this;
    }

    /**
     * Whether this histogram, following {@code previous} in a counter, shows a reset: a smaller count, a higher schema,
     * a smaller zero threshold, or any bucket (merged to this schema) with fewer observations than before.
     */
    public boolean detectReset(FloatHistogram previous) {
        if (count < previous.count || schema > previous.schema || zeroThreshold < previous.zeroThreshold) {
            return true;
        }
        double[] previousZero = previous.zeroCountForLargerThreshold(zeroThreshold);
        if (previousZero[1] != zeroThreshold || zeroCount < previousZero[0]) {
            return true;
        }
        return detectReset(BucketIterator.merging(positiveSpans, positiveBuckets, schema, schema, zeroThreshold),
                BucketIterator.merging(previous.positiveSpans, previous.positiveBuckets, previous.schema, schema,
                        zeroThreshold))
                || detectReset(BucketIterator.merging(negativeSpans, negativeBuckets, schema, schema, zeroThreshold),
                BucketIterator.merging(previous.negativeSpans, previous.negativeBuckets, previous.schema, schema,
                        zeroThreshold));
    }

    private static boolean detectReset(BucketIterator current, BucketIterator previous) {
        if (!previous.next()) {
            return false;
        }
        if (!current.next()) {
            return anyPopulated(previous);
        }
        while (true) {
            while (current.index() < previous.index()) {
                if (!current.next()) {
                    return anyPopulated(previous);
                }
            }
            if (current.index() > previous.index()) {
                if (previous.count() != 0) {
                    return true;
                }
            } else if (current.count() < previous.count()) {
                return true;
            }
            if (!previous.next()) {
                return false;
            }
        }
    }

    /** Whether the current bucket or any after it has observations. */
    private static boolean anyPopulated(BucketIterator buckets) {
        do {
            if (buckets.count() != 0) {
                return true;
            }
        } while (buckets.next());
        return false;
    }

    /**
     * The zero count this histogram would have with the larger threshold, and that threshold: moved up to the end of a
     * populated bucket it would cut ({@code {count, threshold}}).
     */
    double[] zeroCountForLargerThreshold(double largerThreshold) {
        if (largerThreshold == zeroThreshold) {
            return new double[] {zeroCount, largerThreshold};
        }
        if (largerThreshold < zeroThreshold) {
            throw new IllegalArgumentException("new threshold " + largerThreshold + " is less than old threshold " + zeroThreshold);
        }
        outer:
        while (true) {
            double result = zeroCount;
            BucketIterator positive = BucketIterator.merging(positiveSpans, positiveBuckets, schema, schema, 0);
            while (positive.next()) {
                if (positive.lower() >= largerThreshold) {
                    break;
                }
                result += positive.count();
                if (positive.upper() > largerThreshold) {
                    if (positive.count() != 0) {
                        largerThreshold = positive.upper();
                    }
                    break;
                }
            }
            BucketIterator negative = BucketIterator.merging(negativeSpans, negativeBuckets, schema, schema, 0);
            while (negative.next()) {
                if (-negative.lower() <= -largerThreshold) {
                    break;
                }
                result += negative.count();
                if (-negative.upper() < -largerThreshold) {
                    if (negative.count() != 0) {
                        largerThreshold = negative.upper();
                        continue outer;
                    }
                    break;
                }
            }
            return new double[] {result, largerThreshold};
        }
    }

    /** Empties the buckets that now lie inside the zero bucket (their counts are already in the zero count). */
    private void trimBucketsInZeroBucket() {
        positiveBuckets = positiveBuckets.clone();
        BucketIterator positive = BucketIterator.merging(positiveSpans, positiveBuckets, schema, schema, 0);
        for (int i = 0; positive.next() && positive.lower() < zeroThreshold; i++) {
            positiveBuckets[i] = 0;
        }
        negativeBuckets = negativeBuckets.clone();
        BucketIterator negative = BucketIterator.merging(negativeSpans, negativeBuckets, schema, schema, 0);
        for (int i = 0; negative.next() && -negative.lower() > -zeroThreshold; i++) {
            negativeBuckets[i] = 0;
        }
        compact();
    }

    /** Widens this histogram's zero bucket to cover {@code other}'s; returns {@code other}'s zero count at that width. */
    private double reconcileZeroBuckets(FloatHistogram other) {
        double otherZeroCount = other.zeroCount;
        double otherZeroThreshold = other.zeroThreshold;
        while (otherZeroThreshold != zeroThreshold) {
            if (zeroThreshold > otherZeroThreshold) {
                double[] widened = other.zeroCountForLargerThreshold(zeroThreshold);
                otherZeroCount = widened[0];
                otherZeroThreshold = widened[1];
            }
            if (otherZeroThreshold > zeroThreshold) {
                double[] widened = zeroCountForLargerThreshold(otherZeroThreshold);
                zeroCount = widened[0];
                zeroThreshold = widened[1];
                trimBucketsInZeroBucket();
            }
        }
        return otherZeroCount;
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
