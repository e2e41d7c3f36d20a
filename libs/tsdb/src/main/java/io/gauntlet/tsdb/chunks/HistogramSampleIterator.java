package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import java.lang.foreign.MemorySegment;

/**
 * Decodes an integer native histogram chunk (encoding 2, Prometheus {@code chunkenc.HistogramChunk}): a 2-byte sample
 * count, a header byte whose top bits hold the counter reset hint, the layout (zero threshold, schema, positive and
 * negative spans), then per sample the timestamp, count, zero count, sum and buckets — raw in the first sample, as
 * deltas of deltas afterwards (the sum XOR-encoded). Reusable through {@link #reset}; decoding allocates only when a
 * chunk has more buckets than any before.
 */
public final class HistogramSampleIterator implements SampleIterator {
    static final int HEADER_BYTES = 3;
    private static final long[] NO_LONGS = new long[0];
    private static final double[] NO_DOUBLES = new double[0];

    private final BitStreamReader reader = new BitStreamReader();
    private final FloatHistogram current = new FloatHistogram();
    private final byte[] sumWindow = new byte[2];
    // the deltas of deltas of a sample's timestamp, count and zero count, read together
    private final long[] scalarDeltas = new long[3];
    private ChunkOrigin origin = ChunkOrigin.unknown();
    private CorruptedDataException failure;
    private long chunkBytes;

    private int total;
    private int read;
    private CounterResetHint header = CounterResetHint.UNKNOWN;
    private int schema;
    private double zeroThreshold;
    private Span[] positiveSpans = Span.NONE;
    private Span[] negativeSpans = Span.NONE;
    private long timestamp;
    private long timestampDelta;
    private long count;
    private long countDelta;
    private long zeroCount;
    private long zeroCountDelta;
    private long sumBits;
    private long[] positive = NO_LONGS;
    private long[] positiveDeltas = NO_LONGS;
    private double[] positiveCounts = NO_DOUBLES;
    private long[] negative = NO_LONGS;
    private long[] negativeDeltas = NO_LONGS;
    private double[] negativeCounts = NO_DOUBLES;

    public HistogramSampleIterator reset(byte[] chunk) throws CorruptedDataException {
        return reset(MemorySegment.ofArray(chunk), 0, chunk.length, ChunkOrigin.unknown());
    }

    /** Points at the {@code length} bytes of chunk data (without the encoding byte) at {@code offset}. */
    public HistogramSampleIterator reset(MemorySegment segment, long offset, long length, ChunkOrigin origin)
            throws CorruptedDataException {
        this.origin = origin;
        this.failure = null;
        this.read = 0;
        this.chunkBytes = length;
        if (length < HEADER_BYTES || length > Integer.MAX_VALUE - 64) {
            total = 0;
            throw fail("histogram chunk of " + length + " bytes has no 3-byte header");
        }
        reader.reset(segment, offset, (int) length, HEADER_BYTES);
        total = ((segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset) & 0xFF) << 8)
                | (segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + 1) & 0xFF);
        header = CounterResetHint.ofHeader(segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + 2));
        return this;
    }

    public int sampleCount() {
        return total;
    }

    /** The counter reset hint in the chunk header. */
    public CounterResetHint counterResetHeader() {
        return header;
    }

    @Override
    public boolean next() throws CorruptedDataException {
        if (read >= total) {
            if (failure != null) {
                throw failure;
            }
            return false;
        }
        if (read == 0) {
            readFirst();
        } else {
            readFollowing();
        }
        if (reader.overran()) {
            throw fail("histogram chunk data ends inside sample " + read + " of " + total + " (chunk is " + chunkBytes
                    + " bytes)");
        }
        read++;
        return true;
    }

    private void readFirst() throws CorruptedDataException {
        zeroThreshold = HistogramLayout.readZeroThreshold(reader);
        schema = (int) reader.readVarbitInt();
        positiveSpans = HistogramLayout.readSpans(reader, this::fail);
        negativeSpans = HistogramLayout.readSpans(reader, this::fail);
        int positiveCount = Span.bucketCount(positiveSpans);
        int negativeCount = Span.bucketCount(negativeSpans);
        if ((long) positiveCount + negativeCount > reader.limit() - reader.position()) {
            throw fail("histogram chunk layout announces " + positiveCount + " + " + negativeCount
                    + " buckets, more than the data can hold");
        }
        if (positive.length != positiveCount) {
            positive = new long[positiveCount];
            positiveDeltas = new long[positiveCount];
            positiveCounts = new double[positiveCount];
        }
        if (negative.length != negativeCount) {
            negative = new long[negativeCount];
            negativeDeltas = new long[negativeCount];
            negativeCounts = new double[negativeCount];
        }
        timestamp = reader.readVarbitInt();
        count = reader.readVarbitUint();
        zeroCount = reader.readVarbitUint();
        sumBits = reader.readBits(64);
        timestampDelta = 0;
        countDelta = 0;
        zeroCountDelta = 0;
        sumWindow[0] = 0;
        sumWindow[1] = 0;
        readFirstBuckets(positive, positiveDeltas, positiveCounts);
        readFirstBuckets(negative, negativeDeltas, negativeCounts);
    }

    private void readFirstBuckets(long[] buckets, long[] deltas, double[] counts) {
        long absolute = 0;
        for (int i = 0; i < buckets.length; i++) {
            long value = reader.readVarbitInt();
            buckets[i] = value;
            deltas[i] = 0;
            absolute += value;
            counts[i] = absolute;
        }
    }

    private void readFollowing() {
        long[] scalars = scalarDeltas;
        reader.readThreeVarbitInts(scalars);
        timestampDelta += scalars[0];
        timestamp += timestampDelta;
        countDelta += scalars[1];
        count += countDelta;
        zeroCountDelta += scalars[2];
        zeroCount += zeroCountDelta;
        sumBits = reader.readXor(sumBits, sumWindow, 0);
        if (isStale()) {
            return; // a staleness marker carries no buckets
        }
        readFollowingBuckets(positive, positiveDeltas, positiveCounts);
        readFollowingBuckets(negative, negativeDeltas, negativeCounts);
    }

    private void readFollowingBuckets(long[] buckets, long[] deltas, double[] counts) {
        reader.readBucketDeltasOfDeltas(buckets, deltas, counts);
    }

    private boolean isStale() {
        return sumBits == StaleMarkers.STALE_NAN_BITS;
    }

    @Override
    public boolean seek(long t) throws CorruptedDataException {
        while (read == 0 || timestamp < t) {
            if (!next()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public double value() {
        throw new IllegalStateException("the current sample is a histogram, not a float");
    }

    @Override
    public SampleType sampleType() {
        return SampleType.HISTOGRAM;
    }

    @Override
    public FloatHistogram floatHistogram() {
        double sum = Double.longBitsToDouble(sumBits);
        if (isStale()) {
            return current.set(CounterResetHint.UNKNOWN, 0, 0, 0, 0, sum, null, null, null, null);
        }
        return current.set(header.ofSample(read), schema, zeroThreshold, zeroCount, count, sum, positiveSpans,
                positiveCounts, negativeSpans, negativeCounts);
    }

    /** The current sample as a new integer histogram (bucket deltas), e.g. to encode it again. */
    @Override
    public Histogram histogram() {
        double sum = Double.longBitsToDouble(sumBits);
        if (isStale()) {
            return Histogram.staleMarker(sum);
        }
        return new Histogram(header.ofSample(read), schema, zeroThreshold, zeroCount, count, sum, positiveSpans,
                positive.clone(), negativeSpans, negative.clone());
    }

    CorruptedDataException fail(String problem) {
        failure = origin.corrupted(problem);
        read = total;
        return failure;
    }
}
