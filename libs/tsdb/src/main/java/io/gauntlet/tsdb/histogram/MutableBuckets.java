package io.gauntlet.tsdb.histogram;

import java.util.Arrays;

/**
 * One side (positive or negative) of a histogram's buckets while buckets are added into it in index order: a new index
 * extends a neighbouring span or opens one, as Prometheus' {@code addBucket} lays them out.
 */
final class MutableBuckets {
    private int[] offsets;
    private int[] lengths;
    private int spanCount;
    private double[] counts;
    private int bucketCount;

    MutableBuckets(Span[] spans, double[] buckets) {
        offsets = new int[spans.length + 4];
        lengths = new int[spans.length + 4];
        for (Span span : spans) {
            offsets[spanCount] = span.offset();
            lengths[spanCount++] = span.length();
        }
        counts = Arrays.copyOf(buckets, buckets.length + 4);
        bucketCount = buckets.length;
    }

    /** The populated buckets only, in maximal runs of neighbours (Prometheus' {@code Compact(0)}). */
    static MutableBuckets withoutEmpty(Span[] spans, double[] buckets) {
        MutableBuckets result = new MutableBuckets(Span.NONE, new double[0]);
        int index = 0;
        int bucket = 0;
        int previous = Integer.MIN_VALUE;
        for (int s = 0; s < spans.length; s++) {
            index += spans[s].offset();
            for (int i = 0; i < spans[s].length(); i++, index++, bucket++) {
                if (buckets[bucket] == 0) {
                    continue;
                }
                if (previous != Integer.MIN_VALUE && index == previous + 1) {
                    result.lengths[result.spanCount - 1]++;
                } else {
                    result.insertSpan(result.spanCount, previous == Integer.MIN_VALUE ? index : index - previous - 1, 1);
                }
                result.insertBucket(result.bucketCount, buckets[bucket]);
                previous = index;
            }
        }
        return result;
    }

    Span[] spans() {
        Span[] spans = new Span[spanCount];
        for (int i = 0; i < spanCount; i++) {
            spans[i] = new Span(offsets[i], lengths[i]);
        }
        return spans;
    }

    double[] buckets() {
        return Arrays.copyOf(counts, bucketCount);
    }

    private void insertBucket(int at, double count) {
        if (bucketCount == counts.length) {
            counts = Arrays.copyOf(counts, counts.length * 2 + 4);
        }
        System.arraycopy(counts, at, counts, at + 1, bucketCount - at);
        counts[at] = count;
        bucketCount++;
    }

    private void insertSpan(int at, int offset, int length) {
        if (spanCount == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2 + 4);
            lengths = Arrays.copyOf(lengths, lengths.length * 2 + 4);
        }
        System.arraycopy(offsets, at, offsets, at + 1, spanCount - at);
        System.arraycopy(lengths, at, lengths, at + 1, spanCount - at);
        offsets[at] = offset;
        lengths[at] = length;
        spanCount++;
    }

    /** Adds (or with {@code negate} subtracts) every bucket the iterator yields, in its increasing index order. */
    void addAll(BucketIterator buckets, boolean negate) {
        int spanAt = -1;
        int bucketAt = -1;
        int inSpan = 0;
        int index = 0;
        while (buckets.next()) {
            double count = negate ? -buckets.count() : buckets.count();
            int bucketIndex = buckets.index();
            // the coordinates of the last bucket handled, so that the next one is found from there
            if (spanAt == -1) {
                if (spanCount == 0 || offsets[0] > bucketIndex) {
                    insertBucket(0, count);
                    if (spanCount > 0 && offsets[0] == bucketIndex + 1) {
                        lengths[0]++;
                        offsets[0]--;
                    } else {
                        insertSpan(0, bucketIndex, 1);
                        if (spanCount > 1) {
                            offsets[1] -= bucketIndex + 1;
                        }
                    }
                    spanAt = 0;
                    bucketAt = 0;
                    inSpan = 0;
                    index = bucketIndex;
                    continue;
                }
                if (offsets[0] == bucketIndex) {
                    counts[0] += count;
                    spanAt = 0;
                    bucketAt = 0;
                    inSpan = 0;
                    index = bucketIndex;
                    continue;
                }
                spanAt = 0;
                bucketAt = 0;
                inSpan = 0;
                index = offsets[0];
            }
            int deltaIndex = bucketIndex - index;
            while (true) {
                int remainingInSpan = lengths[spanAt] - inSpan;
                if (deltaIndex < remainingInSpan) {
                    bucketAt += deltaIndex;
                    inSpan += deltaIndex;
                    counts[bucketAt] += count;
                    break;
                }
                deltaIndex -= remainingInSpan;
                bucketAt += remainingInSpan;
                spanAt++;
                if (spanAt == spanCount || deltaIndex < offsets[spanAt]) {
                    // in the gap behind the previous span, or after every span
                    insertBucket(bucketAt, count);
                    if (deltaIndex == 0) {
                        if (spanAt < spanCount) {
                            offsets[spanAt]--;
                        }
                        spanAt--;
                        inSpan = lengths[spanAt];
                        lengths[spanAt]++;
                        break;
                    }
                    if (spanAt < spanCount && deltaIndex == offsets[spanAt] - 1) {
                        inSpan = 0;
                        offsets[spanAt]--;
                        lengths[spanAt]++;
                        break;
                    }
                    inSpan = 0;
                    if (spanAt < spanCount) {
                        offsets[spanAt] -= deltaIndex + 1;
                    }
                    insertSpan(spanAt, deltaIndex, 1);
                    break;
                }
                deltaIndex -= offsets[spanAt];
                inSpan = 0;
            }
            index = bucketIndex;
        }
    }
}
