package io.gauntlet.tsdb.histogram;

/**
 * Walks the positive or negative buckets of a float histogram from the zero bucket outwards, merged to a lower target
 * schema (buckets of the original that fall into one target bucket are summed in order) and skipping buckets whose
 * upper bound is at or below an absolute start value (Prometheus' {@code floatBucketIterator}). Bounds are absolute
 * values: for a negative bucket the real interval is [-upper, -lower).
 */
public final class BucketIterator {
    private final Span[] spans;
    private final double[] buckets;
    private final int schema;
    private final int targetSchema;
    private final double absoluteStartValue;

    private int spansIndex;
    private int indexInSpan;
    private int bucketsIndex;
    private int originalIndex;
    private int currentIndex;
    private double currentCount;

    private BucketIterator(Span[] spans, double[] buckets, int schema, int targetSchema, double absoluteStartValue) {
        if (targetSchema > schema) {
            throw new IllegalArgumentException("cannot merge from schema " + schema + " to " + targetSchema);
        }
        this.spans = spans;
        this.buckets = buckets;
        this.schema = schema;
        this.targetSchema = targetSchema;
        this.absoluteStartValue = absoluteStartValue;
    }

    public static BucketIterator merging(Span[] spans, double[] buckets, int schema, int targetSchema,
            double absoluteStartValue) {
        return new BucketIterator(spans, buckets, schema, targetSchema, absoluteStartValue);
    }

    public boolean next() {
        while (true) {
            if (spansIndex >= spans.length) {
                return false;
            }
            int original = originalIndex;
            int spanAt = spansIndex;
            int inSpan = indexInSpan;
            Span span = spans[spanAt];
            boolean firstPass = true;
            currentCount = 0;
            merge:
            while (true) {
                if (bucketsIndex == 0) {
                    original = span.offset();
                } else {
                    original++;
                }
                while (inSpan >= span.length()) {
                    inSpan = 0;
                    spanAt++;
                    if (spanAt >= spans.length) {
                        if (firstPass) {
                            spansIndex = spanAt;
                            return false;
                        }
                        break merge;
                    }
                    span = spans[spanAt];
                    original += span.offset();
                }
                int target = targetIndex(original);
                if (firstPass) {
                    currentIndex = target;
                    firstPass = false;
                } else if (target != currentIndex) {
                    break;
                }
                currentCount += buckets[bucketsIndex];
                inSpan++;
                bucketsIndex++;
                originalIndex = original;
                spansIndex = spanAt;
                indexInSpan = inSpan;
                if (schema == targetSchema) {
                    break;
                }
            }
            if (ExponentialBounds.bound(currentIndex, targetSchema) > absoluteStartValue) {
                return true;
            }
        }
    }

    private int targetIndex(int index) {
        if (schema == targetSchema) {
            return index;
        }
        return ((index - 1) >> (schema - targetSchema)) + 1;
    }

    /** The bucket's index in the target schema. */
    public int index() {
        return currentIndex;
    }

    public double count() {
        return currentCount;
    }

    /** The absolute lower bound (exclusive for positive buckets). */
    public double lower() {
        return ExponentialBounds.bound(currentIndex - 1, targetSchema);
    }

    /** The absolute upper bound. */
    public double upper() {
        return ExponentialBounds.bound(currentIndex, targetSchema);
    }
}
