package io.gauntlet.tsdb.histogram;

/**
 * Every bucket of a float histogram from the lowest to the highest value: negative buckets, the zero bucket (when it
 * holds observations), positive buckets (Prometheus' {@code AllBucketIterator}). A bucket overlapping the zero bucket
 * ends at the zero threshold. Negative buckets include their lower bound, positive ones their upper bound, the zero
 * bucket both.
 */
public final class AllBucketsIterator {
    private final FloatHistogram histogram;
    private final int[] negativeIndexes;
    private int negativeAt;
    private int state = -1;
    private int current; // the side of the current bucket: -1 negative, 0 zero, 1 positive
    private BucketIterator positive;
    private double lower;
    private double upper;
    private double count;

    public AllBucketsIterator(FloatHistogram histogram) {
        this.histogram = histogram;
        Span[] spans = histogram.negativeSpans();
        negativeIndexes = new int[histogram.negativeBuckets().length];
        int index = 0;
        int at = 0;
        for (Span span : spans) {
            index += span.offset();
            for (int i = 0; i < span.length(); i++) {
                negativeIndexes[at++] = index++;
            }
        }
        negativeAt = negativeIndexes.length;
    }

    public boolean next() {
        double threshold = histogram.zeroThreshold();
        if (state == -1) {
            if (negativeAt > 0) {
                negativeAt--;
                int index = negativeIndexes[negativeAt];
                count = histogram.negativeBuckets()[negativeAt];
                lower = -ExponentialBounds.bound(index, histogram.schema());
                upper = -ExponentialBounds.bound(index - 1, histogram.schema());
                if (upper > -threshold) {
                    upper = -threshold;
                }
                current = -1;
                return true;
            }
            state = 0;
        }
        if (state == 0) {
            state = 1;
            positive = BucketIterator.merging(histogram.positiveSpans(), histogram.positiveBuckets(), histogram.schema(),
                    histogram.schema(), 0);
            if (histogram.zeroCount() > 0) {
                lower = -threshold;
                upper = threshold;
                count = histogram.zeroCount();
                current = 0;
                return true;
            }
        }
        if (state == 1) {
            if (positive.next()) {
                count = positive.count();
                lower = positive.lower();
                upper = positive.upper();
                if (lower < threshold) {
                    lower = threshold;
                }
                current = 1;
                return true;
            }
            state = 2;
        }
        return false;
    }

    public double lower() {
        return lower;
    }

    public double upper() {
        return upper;
    }

    /** Negative and zero buckets include their lower bound. */
    public boolean lowerInclusive() {
        return current <= 0;
    }

    /** Zero and positive buckets include their upper bound. */
    public boolean upperInclusive() {
        return current >= 0;
    }

    public double count() {
        return count;
    }
}
