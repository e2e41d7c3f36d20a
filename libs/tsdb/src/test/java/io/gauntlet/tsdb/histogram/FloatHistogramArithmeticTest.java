package io.gauntlet.tsdb.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The histogram arithmetic PromQL needs (add, subtract, scale, merge to a lower schema, counter reset detection,
 * compaction, bucket bounds), checked on small histograms worked out by hand.
 */
class FloatHistogramArithmeticTest {
    private static FloatHistogram histogram(int schema, double zeroThreshold, double zeroCount, double count, double sum,
            Span[] positiveSpans, double[] positive, Span[] negativeSpans, double[] negative) {
        return new FloatHistogram().set(CounterResetHint.UNKNOWN, schema, zeroThreshold, zeroCount, count, sum,
                positiveSpans, positive, negativeSpans, negative);
    }

    private static Span[] spans(int... offsetsAndLengths) {
        Span[] spans = new Span[offsetsAndLengths.length / 2];
        for (int i = 0; i < spans.length; i++) {
            spans[i] = new Span(offsetsAndLengths[2 * i], offsetsAndLengths[2 * i + 1]);
        }
        return spans;
    }

    /** Buckets as "[lower,upper]:count" in the order and with the bounds Prometheus' JSON prints them. */
    private static List<String> buckets(FloatHistogram h) {
        List<String> out = new ArrayList<>();
        AllBucketsIterator it = new AllBucketsIterator(h);
        while (it.next()) {
            out.add((it.lowerInclusive() ? "[" : "(") + it.lower() + "," + it.upper() + (it.upperInclusive() ? "]" : ")")
                    + ":" + it.count());
        }
        return out;
    }

    @Test
    void boundsFollowTheSchema() {
        assertThat(ExponentialBounds.bound(0, 0)).isEqualTo(1.0);
        assertThat(ExponentialBounds.bound(1, 0)).isEqualTo(2.0);
        assertThat(ExponentialBounds.bound(-3, 0)).isEqualTo(0.125);
        // Prometheus' table, one ulp below the correctly rounded √2: what its JSON prints
        assertThat(ExponentialBounds.bound(1, 1)).isEqualTo(1.414213562373095);
        assertThat(ExponentialBounds.bound(3, -2)).isEqualTo(4096.0);
        assertThat(ExponentialBounds.bound(-1, 3)).isEqualTo(0.9170040432046711);
    }

    @Test
    void addsBucketsAcrossLayoutsAndSchemas() {
        // schema 0: buckets 1 (1,2] and 3 (4,8]
        FloatHistogram coarse = histogram(0, 0.001, 1, 6, 20, spans(1, 1, 1, 1), new double[] {2, 3}, Span.NONE, new double[0]);
        // schema 1: buckets 1 (1,1.41], 2 (1.41,2] merge into schema 0 bucket 1; bucket 3 (2,2.83] into bucket 2
        FloatHistogram fine = histogram(1, 0.001, 0, 4, 7, spans(1, 3), new double[] {1, 1, 2}, Span.NONE, new double[0]);
        FloatHistogram sum = coarse.copy().add(fine);
        assertThat(sum.schema()).isZero();
        assertThat(sum.count()).isEqualTo(10);
        assertThat(sum.sum()).isEqualTo(27);
        // a new bucket extends the span before it, leaving a zero offset to the next one (as Prometheus lays it out)
        assertThat(sum.positiveSpans()).containsExactly(new Span(1, 2), new Span(0, 1));
        assertThat(sum.positiveBuckets()).containsExactly(4, 2, 3);
        assertThat(coarse.positiveBuckets()).containsExactly(2, 3);

        FloatHistogram difference = sum.copy().sub(fine).compact();
        assertThat(difference.positiveSpans()).containsExactly(new Span(1, 1), new Span(1, 1));
        assertThat(difference.positiveBuckets()).containsExactly(2, 3);
        assertThat(difference.count()).isEqualTo(6);
    }

    @Test
    void addingAWiderZeroBucketAbsorbsTheBucketsItCovers() {
        // zero threshold 0.001 with a bucket (0.5, 1]; the other histogram's zero bucket reaches 1
        FloatHistogram narrow = histogram(0, 0.001, 1, 4, 3, spans(0, 2), new double[] {2, 1}, Span.NONE, new double[0]);
        FloatHistogram wide = histogram(0, 1, 5, 5, 1, Span.NONE, new double[0], Span.NONE, new double[0]);
        FloatHistogram sum = narrow.copy().add(wide);
        assertThat(sum.zeroThreshold()).isEqualTo(1);
        assertThat(sum.zeroCount()).isEqualTo(8);
        assertThat(sum.positiveSpans()).containsExactly(new Span(1, 1));
        assertThat(sum.positiveBuckets()).containsExactly(1);
    }

    @Test
    void copiesToALowerSchemaAndScales() {
        FloatHistogram h = histogram(2, 0, 0, 10, 5, spans(-2, 4), new double[] {1, 2, 3, 4}, spans(0, 1), new double[] {0.5});
        FloatHistogram merged = h.copyToSchema(0).scale(2);
        // schema 2 indexes -2..1 fall into schema 0 indexes 0, 0, 0, 1
        assertThat(merged.positiveSpans()).containsExactly(new Span(0, 2));
        assertThat(merged.positiveBuckets()).containsExactly(12, 8);
        assertThat(merged.negativeBuckets()).containsExactly(1);
        assertThat(merged.count()).isEqualTo(20);
        assertThat(h.positiveBuckets()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void detectsCounterResets() {
        FloatHistogram before = histogram(1, 0.001, 1, 5, 4, spans(0, 2), new double[] {2, 2}, Span.NONE, new double[0]);
        FloatHistogram grown = histogram(1, 0.001, 1, 7, 6, spans(0, 3), new double[] {2, 3, 1}, Span.NONE, new double[0]);
        FloatHistogram lostBucket = histogram(1, 0.001, 1, 7, 6, spans(1, 1), new double[] {6}, Span.NONE, new double[0]);
        FloatHistogram finerSchema = histogram(2, 0.001, 1, 7, 6, spans(0, 2), new double[] {3, 3}, Span.NONE, new double[0]);
        assertThat(grown.detectReset(before)).isFalse();
        assertThat(lostBucket.detectReset(before)).isTrue();
        assertThat(finerSchema.detectReset(before)).isTrue();
        assertThat(before.detectReset(grown)).isTrue();
    }

    @Test
    void iteratesEveryBucketFromTheLowestUpWithZeroBucketClamping() {
        // negative buckets -5 and 1 (two spans), positive bucket -9 (0.000977, 0.00195] cut by the zero threshold
        FloatHistogram h = histogram(0, 0.001, 5, 20, 4.5, spans(-9, 1, 10, 1), new double[] {7, 9}, spans(-5, 1, 5, 1),
                new double[] {1, 3});
        assertThat(buckets(h)).containsExactly("[-2.0,-1.0):3.0", "[-0.03125,-0.015625):1.0", "[-0.001,0.001]:5.0",
                "(0.001,0.001953125]:7.0", "(2.0,4.0]:9.0");
    }
}
