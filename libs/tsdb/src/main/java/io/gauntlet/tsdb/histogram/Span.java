package io.gauntlet.tsdb.histogram;

import java.util.List;

/**
 * A run of {@code length} consecutive populated buckets starting {@code offset} buckets after the previous span's end
 * (the first span's offset is the absolute index of its first bucket), as in Prometheus' {@code histogram.Span}.
 */
public record Span(int offset, int length) {
    public static final Span[] NONE = new Span[0];

    public Span {
        if (length < 0) {
            throw new IllegalArgumentException("span length must not be negative, got " + length);
        }
    }

    /** Number of buckets the spans describe. */
    public static int bucketCount(Span[] spans) {
        int count = 0;
        for (Span span : spans) {
            count += span.length;
        }
        return count;
    }

    public static Span[] of(List<Span> spans) {
        return spans.isEmpty() ? NONE : spans.toArray(Span[]::new);
    }

    /** Whether two span lists describe the same buckets in the same way. */
    public static boolean same(Span[] a, Span[] b) {
        return java.util.Arrays.equals(a, b);
    }
}
