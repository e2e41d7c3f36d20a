package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes a float native histogram chunk (encoding 3, Prometheus {@code chunkenc.FloatHistogramChunk}): the same header
 * and layout as an integer histogram chunk; the first sample holds the timestamp and raw 64-bit count, zero count,
 * sum and absolute bucket counts, later samples a delta-of-delta timestamp and every value XOR-encoded against its
 * predecessor. Reusable through {@link #reset}; decoding allocates only for a chunk with more buckets than before.
 */
public final class FloatHistogramSampleIterator implements SampleIterator {
    private static final double[] NO_DOUBLES = new double[0];
    private static final byte[] NO_WINDOWS = new byte[0];
    private static final int COUNT = 0;
    private static final int ZERO_COUNT = 1;
    private static final int SUM = 2;

    private final BitStreamReader reader = new BitStreamReader();
    private final FloatHistogram current = new FloatHistogram();
    private final byte[] scalarWindows = new byte[6];
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
    private long countBits;
    private long zeroCountBits;
    private long sumBits;
    private double[] positive = NO_DOUBLES;
    private byte[] positiveWindows = NO_WINDOWS;
    private double[] negative = NO_DOUBLES;
    private byte[] negativeWindows = NO_WINDOWS;

    public FloatHistogramSampleIterator reset(byte[] chunk) throws CorruptedDataException {
        return reset(MemorySegment.ofArray(chunk), 0, chunk.length, ChunkOrigin.unknown());
    }

    public FloatHistogramSampleIterator reset(MemorySegment segment, long offset, long length, ChunkOrigin origin)
            throws CorruptedDataException {
        this.origin = origin;
        this.failure = null;
        this.read = 0;
        this.chunkBytes = length;
        if (length < HistogramSampleIterator.HEADER_BYTES || length > Integer.MAX_VALUE - 64) {
            total = 0;
            throw fail("float histogram chunk of " + length + " bytes has no 3-byte header");
        }
        reader.reset(segment, offset, (int) length, HistogramSampleIterator.HEADER_BYTES);
        total = ((segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF) << 8) | (segment.get(ValueLayout.JAVA_BYTE, offset + 1) & 0xFF);
        header = CounterResetHint.ofHeader(segment.get(ValueLayout.JAVA_BYTE, offset + 2));
        return this;
    }

    public int sampleCount() {
        return total;
    }

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
            throw fail("float histogram chunk data ends inside sample " + read + " of " + total + " (chunk is "
                    + chunkBytes + " bytes)");
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
            throw fail("float histogram chunk layout announces " + positiveCount + " + " + negativeCount
                    + " buckets, more than the data can hold");
        }
        if (positive.length != positiveCount) {
            positive = new double[positiveCount];
            positiveWindows = new byte[2 * positiveCount];
        }
        if (negative.length != negativeCount) {
            negative = new double[negativeCount];
            negativeWindows = new byte[2 * negativeCount];
        }
        java.util.Arrays.fill(scalarWindows, (byte) 0);
        java.util.Arrays.fill(positiveWindows, (byte) 0);
        java.util.Arrays.fill(negativeWindows, (byte) 0);
        timestamp = reader.readVarbitInt();
        timestampDelta = 0;
        countBits = reader.readBits(64);
        zeroCountBits = reader.readBits(64);
        sumBits = reader.readBits(64);
        for (int i = 0; i < positive.length; i++) {
            positive[i] = Double.longBitsToDouble(reader.readBits(64));
        }
        for (int i = 0; i < negative.length; i++) {
            negative[i] = Double.longBitsToDouble(reader.readBits(64));
        }
    }

    private void readFollowing() {
        timestampDelta += reader.readVarbitInt();
        timestamp += timestampDelta;
        countBits = reader.readXor(countBits, scalarWindows, COUNT);
        zeroCountBits = reader.readXor(zeroCountBits, scalarWindows, ZERO_COUNT);
        sumBits = reader.readXor(sumBits, scalarWindows, SUM);
        if (sumBits == StaleMarkers.STALE_NAN_BITS) {
            return;
        }
        BitStreamReader in = reader;
        for (int i = 0; i < positive.length; i++) {
            positive[i] = Double.longBitsToDouble(in.readXor(Double.doubleToRawLongBits(positive[i]), positiveWindows, i));
        }
        for (int i = 0; i < negative.length; i++) {
            negative[i] = Double.longBitsToDouble(in.readXor(Double.doubleToRawLongBits(negative[i]), negativeWindows, i));
        }
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
        return SampleType.FLOAT_HISTOGRAM;
    }

    @Override
    public FloatHistogram floatHistogram() {
        double sum = Double.longBitsToDouble(sumBits);
        if (sumBits == StaleMarkers.STALE_NAN_BITS) {
            return current.set(CounterResetHint.UNKNOWN, 0, 0, 0, 0, sum, null, null, null, null);
        }
        return current.set(header.ofSample(read), schema, zeroThreshold, Double.longBitsToDouble(zeroCountBits),
                Double.longBitsToDouble(countBits), sum, positiveSpans, positive, negativeSpans, negative);
    }

    CorruptedDataException fail(String problem) {
        failure = origin.corrupted(problem);
        read = total;
        return failure;
    }
}
