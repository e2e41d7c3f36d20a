package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender.Appendability;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender.GaugeAppendability;
import java.util.Arrays;

/**
 * Encodes float native histograms into one chunk (encoding 3) with the bytes Prometheus 2.42's
 * {@code chunkenc.FloatHistogramAppender} writes: first sample raw, later samples a delta-of-delta timestamp and every
 * count XOR-encoded against the same field of the previous sample. Samples are kept (appended values are copied).
 */
public final class FloatHistogramChunkAppender implements HistogramChunkAppending<FloatHistogram> {
    private static final double[] NO_DOUBLES = new double[0];

    private final BitStreamWriter out = new BitStreamWriter(HistogramSampleIterator.HEADER_BYTES);
    private int samples;
    private long firstTimestamp;
    private int schema;
    private double zeroThreshold;
    private Span[] positiveSpans = Span.NONE;
    private Span[] negativeSpans = Span.NONE;
    private long timestamp;
    private long timestampDelta;
    private double count;
    private double zeroCount;
    private double sum;
    private final int[] countWindow = {0xFF, 0};
    private final int[] zeroCountWindow = {0xFF, 0};
    private final int[] sumWindow = {0xFF, 0};
    private double[] positive = NO_DOUBLES;
    private double[] negative = NO_DOUBLES;
    private int[][] positiveWindows = new int[0][];
    private int[][] negativeWindows = new int[0][];

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

    /** Prometheus 2.42 {@code FloatHistogramAppender.Appendable} for a counter histogram. */
    @Override
    public Appendability appendable(FloatHistogram h) {
        if (samples > 0 && counterResetHeader() == CounterResetHint.GAUGE) {
            return Appendability.NO;
        }
        if (StaleMarkers.isStale(h.sum())) {
            return Appendability.YES;
        }
        if (StaleMarkers.isStale(sum)) {
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
        BucketLayouts.Insert[] positiveInserts = BucketLayouts.expandForward(positiveSpans, h.positiveSpans());
        if (positiveInserts == null) {
            return Appendability.RESET;
        }
        BucketLayouts.Insert[] negativeInserts = BucketLayouts.expandForward(negativeSpans, h.negativeSpans());
        if (negativeInserts == null) {
            return Appendability.RESET;
        }
        if (BucketLayouts.counterResetInAnyBucket(positive, h.positiveBuckets(), positiveSpans, h.positiveSpans())
                || BucketLayouts.counterResetInAnyBucket(negative, h.negativeBuckets(), negativeSpans, h.negativeSpans())) {
            return Appendability.RESET;
        }
        return new Appendability(true, false, positiveInserts, negativeInserts);
    }

    /** Prometheus 2.42 {@code FloatHistogramAppender.AppendableGauge}. */
    @Override
    public GaugeAppendability appendableGauge(FloatHistogram h) {
        if (samples > 0 && counterResetHeader() != CounterResetHint.GAUGE) {
            return GaugeAppendability.NO;
        }
        if (StaleMarkers.isStale(h.sum())) {
            return new GaugeAppendability(true, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS, BucketLayouts.NO_INSERTS,
                    BucketLayouts.NO_INSERTS, Span.NONE, Span.NONE);
        }
        if (StaleMarkers.isStale(sum) || h.schema() != schema || h.zeroThreshold() != zeroThreshold) {
            return GaugeAppendability.NO;
        }
        BucketLayouts.BothWays positiveWays = BucketLayouts.expandBothWays(positiveSpans, h.positiveSpans());
        BucketLayouts.BothWays negativeWays = BucketLayouts.expandBothWays(negativeSpans, h.negativeSpans());
        return new GaugeAppendability(true, positiveWays.forward(), negativeWays.forward(), positiveWays.backward(),
                negativeWays.backward(), positiveWays.merged(), negativeWays.merged());
    }

    @Override
    public Span[] positiveSpansOf(FloatHistogram h) {
        return h.positiveSpans();
    }

    @Override
    public Span[] negativeSpansOf(FloatHistogram h) {
        return h.negativeSpans();
    }

    @Override
    public CounterResetHint hintOf(FloatHistogram h) {
        return h.counterResetHint();
    }

    /** The sample widened to the merged layout of {@link #appendableGauge}. */
    @Override
    public FloatHistogram widened(FloatHistogram h, GaugeAppendability gauge) {
        if (gauge.positiveBackward().length + gauge.negativeBackward().length == 0) {
            return h;
        }
        double[] positiveBuckets = h.positiveBuckets();
        double[] negativeBuckets = h.negativeBuckets();
        if (gauge.positiveBackward().length > 0) {
            positiveBuckets = BucketLayouts.insert(positiveBuckets, Span.bucketCount(gauge.positiveMerged()),
                    gauge.positiveBackward());
        }
        if (gauge.negativeBackward().length > 0) {
            negativeBuckets = BucketLayouts.insert(negativeBuckets, Span.bucketCount(gauge.negativeMerged()),
                    gauge.negativeBackward());
        }
        return new FloatHistogram().set(h.counterResetHint(), h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(),
                h.sum(), gauge.positiveMerged(), positiveBuckets, gauge.negativeMerged(), negativeBuckets);
    }

    /** Appends a sample; the caller made sure it fits. */
    @Override
    public void append(long t, FloatHistogram h) {
        if (samples == 0xFFFF) {
            throw new IllegalStateException("a histogram chunk holds at most 65535 samples");
        }
        if (StaleMarkers.isStale(h.sum())) {
            h = FloatHistogram.staleMarker(h.sum());
        }
        long newTimestampDelta = 0;
        if (samples == 0) {
            HistogramLayout.write(out, h.schema(), h.zeroThreshold(), h.positiveSpans(), h.negativeSpans());
            schema = h.schema();
            zeroThreshold = h.zeroThreshold();
            positiveSpans = h.positiveSpans().clone();
            negativeSpans = h.negativeSpans().clone();
            positive = h.positiveBuckets().clone();
            negative = h.negativeBuckets().clone();
            positiveWindows = newWindows(positive.length);
            negativeWindows = newWindows(negative.length);
            out.writeVarbitInt(t);
            out.writeBits(Double.doubleToRawLongBits(h.count()), 64);
            out.writeBits(Double.doubleToRawLongBits(h.zeroCount()), 64);
            out.writeBits(Double.doubleToRawLongBits(h.sum()), 64);
            for (double bucket : positive) {
                out.writeBits(Double.doubleToRawLongBits(bucket), 64);
            }
            for (double bucket : negative) {
                out.writeBits(Double.doubleToRawLongBits(bucket), 64);
            }
            firstTimestamp = t;
        } else {
            newTimestampDelta = t - timestamp;
            out.writeVarbitInt(newTimestampDelta - timestampDelta);
            out.writeXor(h.count(), count, countWindow);
            out.writeXor(h.zeroCount(), zeroCount, zeroCountWindow);
            out.writeXor(h.sum(), sum, sumWindow);
            double[] buckets = h.positiveBuckets();
            for (int i = 0; i < buckets.length; i++) {
                out.writeXor(buckets[i], positive[i], positiveWindows[i]);
                positive[i] = buckets[i];
            }
            buckets = h.negativeBuckets();
            for (int i = 0; i < buckets.length; i++) {
                out.writeXor(buckets[i], negative[i], negativeWindows[i]);
                negative[i] = buckets[i];
            }
        }
        count = h.count();
        zeroCount = h.zeroCount();
        sum = h.sum();
        samples++;
        out.setByte(0, samples >>> 8);
        out.setByte(1, samples);
        timestamp = t;
        timestampDelta = newTimestampDelta;
    }

    private static int[][] newWindows(int buckets) {
        int[][] windows = new int[buckets][];
        for (int i = 0; i < buckets; i++) {
            windows[i] = new int[] {0xFF, 0};
        }
        return windows;
    }

    /** A new appender holding this chunk's samples widened to the new layout, with the same header. */
    @Override
    public FloatHistogramChunkAppender recode(BucketLayouts.Insert[] positiveInserts, BucketLayouts.Insert[] negativeInserts,
                                              Span[] positiveLayout, Span[] negativeLayout) {
        FloatHistogramChunkAppender recoded = new FloatHistogramChunkAppender();
        FloatHistogramSampleIterator samplesOfThis = new FloatHistogramSampleIterator();
        int positiveCount = Span.bucketCount(positiveLayout);
        int negativeCount = Span.bucketCount(negativeLayout);
        try {
            samplesOfThis.reset(toByteArray());
            while (samplesOfThis.next()) {
                FloatHistogram old = samplesOfThis.floatHistogram();
                if (StaleMarkers.isStale(old.sum())) {
                    recoded.append(samplesOfThis.timestamp(), old);
                    continue;
                }
                double[] positiveBuckets = positiveInserts.length > 0
                        ? BucketLayouts.insert(old.positiveBuckets(), positiveCount, positiveInserts)
                        : Arrays.copyOf(old.positiveBuckets(), old.positiveBuckets().length);
                double[] negativeBuckets = negativeInserts.length > 0
                        ? BucketLayouts.insert(old.negativeBuckets(), negativeCount, negativeInserts)
                        : Arrays.copyOf(old.negativeBuckets(), old.negativeBuckets().length);
                recoded.append(samplesOfThis.timestamp(), new FloatHistogram().set(old.counterResetHint(), old.schema(),
                        old.zeroThreshold(), old.zeroCount(), old.count(), old.sum(), positiveLayout, positiveBuckets,
                        negativeLayout, negativeBuckets));
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
