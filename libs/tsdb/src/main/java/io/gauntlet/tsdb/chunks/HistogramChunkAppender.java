package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;

/**
 * Encodes integer native histograms into one chunk (encoding 2) with the bytes Prometheus 2.42's
 * {@code chunkenc.HistogramAppender} writes: the first sample dictates the layout; {@link #appendable} and
 * {@link #appendableGauge} say whether a sample fits, {@link #recode} widens the chunk to new buckets. Like Prometheus'
 * appender it trusts its caller ({@link HistogramChunkCutter}) to ask first.
 */
public final class HistogramChunkAppender implements HistogramChunkAppending<Histogram> {
    private static final long[] NO_LONGS = new long[0];

    private final BitStreamWriter out = new BitStreamWriter(HistogramSampleIterator.HEADER_BYTES);
    private int samples;
    private long firstTimestamp;
    private int schema;
    private double zeroThreshold;
    private Span[] positiveSpans = Span.NONE;
    private Span[] negativeSpans = Span.NONE;
    private long timestamp;
    private long count;
    private long zeroCount;
    private long timestampDelta;
    private long countDelta;
    private long zeroCountDelta;
    private long[] positive = NO_LONGS;
    private long[] negative = NO_LONGS;
    private long[] positiveDeltas = NO_LONGS;
    private long[] negativeDeltas = NO_LONGS;
    private double sum;
    private final int[] sumWindow = {0xFF, 0};

    /** What {@link #appendable} found: append as is, append after recoding, or cut a new chunk (maybe a reset). */
    public record Appendability(boolean okToAppend, boolean counterReset, BucketLayouts.Insert[] positiveInserts,
                                BucketLayouts.Insert[] negativeInserts) {
        static final Appendability NO = new Appendability(false, false, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS);
        static final Appendability RESET = new Appendability(false, true, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS);
        static final Appendability YES = new Appendability(true, false, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS);

        public boolean needsRecoding() {
            return positiveInserts.length > 0 || negativeInserts.length > 0;
        }
    }

    /** {@link #appendableGauge}'s answer: also how to widen the sample ({@code backward}) to the merged layout. */
    public record GaugeAppendability(boolean okToAppend, BucketLayouts.Insert[] positiveInserts,
                                     BucketLayouts.Insert[] negativeInserts, BucketLayouts.Insert[] positiveBackward,
                                     BucketLayouts.Insert[] negativeBackward, Span[] positiveMerged, Span[] negativeMerged) {
        static final GaugeAppendability NO = new GaugeAppendability(false, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS,
                BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS, Span.NONE, Span.NONE);
    }

    @Override
    public int sampleCount() {
        return samples;
    }

    @Override
    public long minTime() {
        return firstTimestamp;
    }

    @Override
    public long maxTime() {
        return timestamp;
    }

    public CounterResetHint counterResetHeader() {
        return CounterResetHint.ofHeader(out.byteAt(2));
    }

    @Override
    public void setCounterResetHeader(CounterResetHint hint) {
        out.setByte(2, (out.byteAt(2) & ~CounterResetHint.HEADER_MASK) | hint.headerBits());
    }

    private boolean lastIsStale() {
        return StaleMarkers.isStale(sum);
    }

    /** Prometheus 2.42 {@code HistogramAppender.Appendable} for a counter histogram. */
    @Override
    public Appendability appendable(Histogram h) {
        if (samples > 0 && counterResetHeader() == CounterResetHint.GAUGE) {
            return Appendability.NO;
        }
        if (StaleMarkers.isStale(h.sum())) {
            return Appendability.YES;
        }
        if (lastIsStale()) {
            return Appendability.NO;
        }
        if (h.count() < count) {
            return Appendability.RESET;
        }
        if (h.schema() != schema || h.zeroThreshold() != zeroThreshold) {
            return Appendability.NO;
        }
        if (h.zeroCount() < zeroCount) {
            return Appendability.RESET;
        }
        if (sameLayout(positiveSpans, positive, h.positiveSpans(), h.positiveBuckets())
                && sameLayout(negativeSpans, negative, h.negativeSpans(), h.negativeBuckets())) {
            // the common case, allocation-free: nothing to insert, and the buckets pair up one to one
            return fewerInAnyBucket(positive, h.positiveBuckets()) || fewerInAnyBucket(negative, h.negativeBuckets())
                    ? Appendability.RESET : Appendability.YES;
        }
        BucketLayouts.Insert[] positiveInserts = BucketLayouts.expandForward(positiveSpans, h.positiveSpans());
        if (positiveInserts == null) {
            return Appendability.RESET;
        }
        BucketLayouts.Insert[] negativeInserts = BucketLayouts.expandForward(negativeSpans, h.negativeSpans());
        if (negativeInserts == null) {
            return Appendability.RESET;
        }
        if (BucketLayouts.counterResetInAnyBucket(BucketLayouts.absolute(positive), BucketLayouts.absolute(h.positiveBuckets()),
                positiveSpans, h.positiveSpans())
                || BucketLayouts.counterResetInAnyBucket(BucketLayouts.absolute(negative),
                BucketLayouts.absolute(h.negativeBuckets()), negativeSpans, h.negativeSpans())) {
            return Appendability.RESET;
        }
        return new Appendability(true, false, positiveInserts, negativeInserts);
    }

    /** Whether a sample's spans equal the chunk's, every span holding buckets, with as many buckets as the chunk. */
    private static boolean sameLayout(Span[] chunkSpans, long[] chunkBuckets, Span[] spans, long[] buckets) {
        if (buckets.length != chunkBuckets.length || !java.util.Arrays.equals(chunkSpans, spans)) {
            return false;
        }
        for (Span span : spans) {
            if (span.length() < 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link BucketLayouts#counterResetInAnyBucket} for two equal layouts: whether any bucket's absolute count (as the
     * float it compares) went down.
     */
    private static boolean fewerInAnyBucket(long[] oldDeltas, long[] newDeltas) {
        long oldCount = 0;
        long newCount = 0;
        for (int i = 0; i < oldDeltas.length; i++) {
            oldCount += oldDeltas[i];
            newCount += newDeltas[i];
            if ((double) newCount < (double) oldCount) {
                return true;
            }
        }
        return false;
    }

    /** Prometheus 2.42 {@code HistogramAppender.AppendableGauge}. */
    @Override
    public GaugeAppendability appendableGauge(Histogram h) {
        if (samples > 0 && counterResetHeader() != CounterResetHint.GAUGE) {
            return GaugeAppendability.NO;
        }
        if (StaleMarkers.isStale(h.sum())) {
            return new GaugeAppendability(true, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS,
                    BucketLayouts.NO_INSERTS, Span.NONE, Span.NONE);
        }
        if (lastIsStale() || h.schema() != schema || h.zeroThreshold() != zeroThreshold) {
            return GaugeAppendability.NO;
        }
        BucketLayouts.BothWays positiveWays = BucketLayouts.expandBothWays(positiveSpans, h.positiveSpans());
        BucketLayouts.BothWays negativeWays = BucketLayouts.expandBothWays(negativeSpans, h.negativeSpans());
        return new GaugeAppendability(true, positiveWays.forward(), negativeWays.forward(), positiveWays.backward(),
                negativeWays.backward(), positiveWays.merged(), negativeWays.merged());
    }

    @Override
    public Span[] positiveSpansOf(Histogram h) {
        return h.positiveSpans();
    }

    @Override
    public Span[] negativeSpansOf(Histogram h) {
        return h.negativeSpans();
    }

    @Override
    public CounterResetHint hintOf(Histogram h) {
        return h.counterResetHint();
    }

    /** The sample widened to the merged layout of {@link #appendableGauge} (Prometheus {@code RecodeHistogram}). */
    @Override
    public Histogram widened(Histogram h, GaugeAppendability gauge) {
        Span[] positiveLayout = h.positiveSpans();
        Span[] negativeLayout = h.negativeSpans();
        long[] positiveBuckets = h.positiveBuckets();
        long[] negativeBuckets = h.negativeBuckets();
        if (gauge.positiveBackward().length + gauge.negativeBackward().length == 0) {
            return h;
        }
        positiveLayout = gauge.positiveMerged();
        negativeLayout = gauge.negativeMerged();
        if (gauge.positiveBackward().length > 0) {
            positiveBuckets = BucketLayouts.insert(positiveBuckets, Span.bucketCount(positiveLayout), gauge.positiveBackward());
        }
        if (gauge.negativeBackward().length > 0) {
            negativeBuckets = BucketLayouts.insert(negativeBuckets, Span.bucketCount(negativeLayout), gauge.negativeBackward());
        }
        return h.withLayout(positiveLayout, positiveBuckets, negativeLayout, negativeBuckets);
    }

    /** Appends a sample; the caller made sure it fits (Prometheus {@code AppendHistogram}). */
    @Override
    public void append(long t, Histogram h) {
        if (samples == 0xFFFF) {
            throw new IllegalStateException("a histogram chunk holds at most 65535 samples");
        }
        if (StaleMarkers.isStale(h.sum())) {
            h = Histogram.staleMarker(h.sum()); // a staleness marker writes no buckets (and an empty layout if first)
        }
        long newTimestampDelta = 0;
        long newCountDelta = 0;
        long newZeroCountDelta = 0;
        if (samples == 0) {
            HistogramLayout.write(out, h.schema(), h.zeroThreshold(), h.positiveSpans(), h.negativeSpans());
            schema = h.schema();
            zeroThreshold = h.zeroThreshold();
            positiveSpans = h.positiveSpans().clone();
            negativeSpans = h.negativeSpans().clone();
            positive = new long[h.positiveBuckets().length];
            positiveDeltas = new long[positive.length];
            negative = new long[h.negativeBuckets().length];
            negativeDeltas = new long[negative.length];
            out.writeVarbitInt(t);
            out.writeVarbitUint(h.count());
            out.writeVarbitUint(h.zeroCount());
            out.writeBits(Double.doubleToRawLongBits(h.sum()), 64);
            for (long bucket : h.positiveBuckets()) {
                out.writeVarbitInt(bucket);
            }
            for (long bucket : h.negativeBuckets()) {
                out.writeVarbitInt(bucket);
            }
            firstTimestamp = t;
        } else {
            newTimestampDelta = t - timestamp;
            newCountDelta = h.count() - count;
            newZeroCountDelta = h.zeroCount() - zeroCount;
            long countDod = newCountDelta - countDelta;
            long zeroCountDod = newZeroCountDelta - zeroCountDelta;
            if (StaleMarkers.isStale(h.sum())) {
                countDod = 0;
                zeroCountDod = 0;
            }
            out.writeVarbitInt(newTimestampDelta - timestampDelta);
            out.writeVarbitInt(countDod);
            out.writeVarbitInt(zeroCountDod);
            out.writeXor(h.sum(), sum, sumWindow);
            long[] buckets = h.positiveBuckets();
            for (int i = 0; i < buckets.length; i++) {
                long delta = buckets[i] - positive[i];
                out.writeVarbitInt(delta - positiveDeltas[i]);
                positiveDeltas[i] = delta;
            }
            buckets = h.negativeBuckets();
            for (int i = 0; i < buckets.length; i++) {
                long delta = buckets[i] - negative[i];
                out.writeVarbitInt(delta - negativeDeltas[i]);
                negativeDeltas[i] = delta;
            }
        }
        samples++;
        out.setByte(0, samples >>> 8);
        out.setByte(1, samples);
        timestamp = t;
        count = h.count();
        zeroCount = h.zeroCount();
        timestampDelta = newTimestampDelta;
        countDelta = newCountDelta;
        zeroCountDelta = newZeroCountDelta;
        System.arraycopy(h.positiveBuckets(), 0, positive, 0, Math.min(positive.length, h.positiveBuckets().length));
        System.arraycopy(h.negativeBuckets(), 0, negative, 0, Math.min(negative.length, h.negativeBuckets().length));
        sum = h.sum();
    }

    /**
     * A new appender whose chunk holds this chunk's samples widened to {@code positiveLayout}/{@code negativeLayout}
     * by the inserts, with the same counter reset header (Prometheus {@code Recode}).
     */
    @Override
    public HistogramChunkAppender recode(BucketLayouts.Insert[] positiveInserts, BucketLayouts.Insert[] negativeInserts,
                                         Span[] positiveLayout, Span[] negativeLayout) {
        HistogramChunkAppender recoded = new HistogramChunkAppender();
        HistogramSampleIterator samplesOfThis = new HistogramSampleIterator();
        int positiveCount = Span.bucketCount(positiveLayout);
        int negativeCount = Span.bucketCount(negativeLayout);
        try {
            samplesOfThis.reset(toByteArray());
            while (samplesOfThis.next()) {
                Histogram old = samplesOfThis.histogram();
                long[] positiveBuckets = old.positiveBuckets();
                long[] negativeBuckets = old.negativeBuckets();
                if (positiveInserts.length > 0) {
                    positiveBuckets = BucketLayouts.insert(positiveBuckets, positiveCount, positiveInserts);
                }
                if (negativeInserts.length > 0) {
                    negativeBuckets = BucketLayouts.insert(negativeBuckets, negativeCount, negativeInserts);
                }
                if (StaleMarkers.isStale(old.sum())) {
                    recoded.append(samplesOfThis.timestamp(), old);
                } else {
                    recoded.append(samplesOfThis.timestamp(),
                            old.withLayout(positiveLayout, positiveBuckets, negativeLayout, negativeBuckets));
                }
            }
        } catch (CorruptedDataException e) {
            throw new IllegalStateException("recoding a chunk this appender wrote failed", e);
        }
        recoded.setCounterResetHeader(counterResetHeader());
        return recoded;
    }

    @Override
    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
