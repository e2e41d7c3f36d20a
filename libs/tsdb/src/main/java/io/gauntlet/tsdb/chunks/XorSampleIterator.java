package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.storage.SampleIterator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes an XOR chunk (Prometheus {@code chunkenc.XORChunk}) from a {@link MemorySegment}, e.g. a slice of a
 * memory-mapped segment file. One instance is meant to be {@link #reset reset} and reused; decoding allocates nothing
 * (reset copies the chunk into a buffer that grows only for a larger chunk). Data that ends before the sample count in
 * its header is reached fails with {@link CorruptedDataException}.
 */
public final class XorSampleIterator implements SampleIterator {
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int HEADER_BYTES = 2;
    /**
     * Most bytes one sample can occupy (a 10-byte varint or a 68-bit delta of delta, plus up to 77 value bits): a chunk
     * of n samples never reads past byte 2 + 20 n, so longer data need not be copied.
     */
    private static final int MAX_SAMPLE_BYTES = 20;
    /**
     * Zero bytes after the copied chunk. A sample starts at most 8 bytes past the chunk's end (it is checked after
     * each sample) and reads at most 19 more, so every 8-byte load stays inside the buffer without a bounds branch.
     */
    private static final int PADDING = 64;
    /** Payload widths of the delta-of-delta buckets '0', '10', '110', '1110', one per byte, by leading 1 bits. */
    private static final int DOD_WIDTHS = 14 << 8 | 17 << 16 | 20 << 24;

    private byte[] buffer = new byte[0];
    private long bitLimit;
    // next bits of the stream, left-aligned: the top windowBits bits are valid, the bits below them are the stream's
    // continuation or zero (so a refill may OR the same bytes in again)
    private long window;
    private int windowBits;
    // buffer index of the next byte not yet loaded into the window
    private int nextByte;
    private long chunkBytes;
    private ChunkOrigin origin = ChunkOrigin.unknown();
    private CorruptedDataException failure;

    private int total;
    private int read;
    private boolean exhausted;
    private long timestamp;
    private long delta;
    private long valueBits;
    private int significant;
    private int trailing;

    /** An iterator over nothing, to be {@link #reset reset} onto a chunk. */
    public XorSampleIterator() {
        total = 0;
        exhausted = true;
    }

    /** Convenience: decodes a whole heap array. */
    public XorSampleIterator reset(byte[] chunk) throws CorruptedDataException {
        return reset(MemorySegment.ofArray(chunk), 0, chunk.length, ChunkOrigin.unknown());
    }

    public XorSampleIterator reset(MemorySegment segment, long offset, long length) throws CorruptedDataException {
        return reset(segment, offset, length, ChunkOrigin.unknown());
    }

    /**
     * Points this iterator at the {@code length} bytes of chunk data (header included, without the encoding byte)
     * at {@code offset} in {@code segment}; {@code origin} names the place in errors.
     */
    public XorSampleIterator reset(MemorySegment segment, long offset, long length, ChunkOrigin origin)
            throws CorruptedDataException {
        if (offset < 0 || length < 0 || offset + length > segment.byteSize()) {
            throw new IllegalArgumentException("chunk [" + offset + ", " + (offset + length) + ") lies outside a segment of "
                    + segment.byteSize() + " bytes");
        }
        this.origin = origin;
        this.chunkBytes = length;
        this.bitLimit = length * 8;
        this.failure = null;
        this.read = 0;
        this.exhausted = false;
        this.significant = 64;
        this.trailing = 0;
        this.delta = 0;
        this.window = 0;
        this.windowBits = 0;
        this.nextByte = HEADER_BYTES;
        if (length < HEADER_BYTES) {
            total = 0;
            exhausted = true;
            throw fail("XOR chunk of " + length + " bytes has no 2-byte sample count");
        }
        total = segment.get(SHORT_BE, offset) & 0xFFFF;
        int copied = (int) Math.min(length, HEADER_BYTES + (long) MAX_SAMPLE_BYTES * total);
        if (buffer.length < copied + PADDING) {
            buffer = new byte[Math.max(copied + PADDING, 2 * buffer.length)];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, buffer, 0, copied);
        Arrays.fill(buffer, copied, copied + PADDING, (byte) 0);
        return this;
    }

    /** Number of samples the chunk header announces. */
    public int sampleCount() {
        return total;
    }

    @Override
    public boolean next() throws CorruptedDataException {
        int index = read;
        long bits;
        int valid;
        int position;
        byte[] data = buffer;
        if (index >= 2 && index < total) {
            bits = window;
            valid = windowBits;
            position = nextByte;
            // refill to at least 56 valid bits: the longest short delta of delta (24) plus a value header (13)
            bits |= (long) LONG_BE.get(data, position) >>> valid;
            position += (63 - valid) >>> 3;
            valid |= 56;
            // the number of leading 1 bits picks the bucket: '0', '10' + 14, '110' + 17, '1110' + 20, '1111' + 64 bits
            int ones = Long.numberOfLeadingZeros(~bits);
            long dod;
            if (ones < 4) {
                int prefix = ones + 1;
                int width = (DOD_WIDTHS >>> (ones << 3)) & 0xFF;
                // two shifts so that width 0 yields 0 (a single shift by 64 would be a no-op)
                long raw = ((bits << prefix) >>> 1) >>> (63 - width);
                // Prometheus' buckets are asymmetric: raw values above half the range are negative
                long half = (1L << width) >>> 1;
                dod = raw - (((half - raw) >> 63) & (half << 1));
                bits <<= prefix + width;
                valid -= prefix + width;
            } else {
                bits <<= 4;
                valid -= 4;
                long high = bits >>> 32;
                bits <<= 32;
                valid -= 32;
                bits |= (long) LONG_BE.get(data, position) >>> valid;
                position += (63 - valid) >>> 3;
                valid |= 56;
                dod = high << 32 | bits >>> 32;
                bits <<= 32;
                valid -= 32;
                bits |= (long) LONG_BE.get(data, position) >>> valid;
                position += (63 - valid) >>> 3;
                valid |= 56;
            }
            long d = delta + dod;
            delta = d;
            timestamp += d;
        } else if (index == 1 && total > 1) {
            long d = readUvarint();
            delta = d;
            timestamp += d;
            bits = window;
            valid = windowBits;
            position = nextByte;
            bits |= (long) LONG_BE.get(data, position) >>> valid;
            position += (63 - valid) >>> 3;
            valid |= 56;
        } else {
            return firstOrEnd();
        }

        // value: '0' unchanged; '10' XOR in the previous window; '11' new window (5 bits leading zeros, 6 bits
        // significant-bit count where 0 means 64), then the significant bits
        if (bits >= 0) {
            bits <<= 1;
            valid -= 1;
        } else {
            int count;
            if ((bits << 1) >= 0) {
                bits <<= 2;
                valid -= 2;
                count = significant;
            } else {
                int leading = (int) ((bits << 2) >>> 59);
                count = (((int) ((bits << 7) >>> 58) - 1) & 63) + 1;
                bits <<= 13;
                valid -= 13;
                if (leading + count > 64) {
                    window = bits;
                    windowBits = valid;
                    nextByte = position;
                    throw badValueWindow(leading, count);
                }
                significant = count;
                trailing = 64 - leading - count;
            }
            if (valid < count) {
                bits |= (long) LONG_BE.get(data, position) >>> valid;
                position += (63 - valid) >>> 3;
                valid |= 56;
            }
            long xor;
            if (count <= valid) {
                xor = bits >>> (64 - count);
                bits <<= count;
                valid -= count;
            } else {
                int highBits = count - 32;
                long high = bits >>> (64 - highBits);
                bits <<= highBits;
                valid -= highBits;
                bits |= (long) LONG_BE.get(data, position) >>> valid;
                position += (63 - valid) >>> 3;
                valid |= 56;
                xor = high << 32 | bits >>> 32;
                bits <<= 32;
                valid -= 32;
            }
            valueBits ^= xor << trailing;
        }
        window = bits;
        windowBits = valid;
        nextByte = position;
        if (((long) position << 3) - valid > bitLimit) {
            throw truncated();
        }
        read = index + 1;
        return true;
    }

    /** The first sample (varint timestamp, raw 64-bit value), or the end of the chunk. */
    private boolean firstOrEnd() throws CorruptedDataException {
        if (read >= total) {
            if (failure != null) {
                throw failure;
            }
            exhausted = true;
            return false;
        }
        long zigZag = readUvarint();
        timestamp = (zigZag >>> 1) ^ -(zigZag & 1);
        valueBits = (take(32) << 32) | take(32);
        if (consumedBits() > bitLimit) {
            throw truncated();
        }
        read = 1;
        return true;
    }

    @Override
    public boolean seek(long t) throws CorruptedDataException {
        if (exhausted) {
            return false;
        }
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
        return Double.longBitsToDouble(valueBits);
    }

    /** The current value's raw bits (staleness markers are one NaN pattern among others). */
    public long valueBits() {
        return valueBits;
    }

    private long readUvarint() throws CorruptedDataException {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = take(8);
            if (shift == 63 && b > 1) {
                break;
            }
            result |= (b & 0x7F) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        if (consumedBits() > bitLimit) {
            throw truncated();
        }
        throw fail("XOR chunk sample " + read + ": timestamp varint overflows 64 bits");
    }

    /** Takes {@code n} bits (1 ≤ n ≤ 56); past the end of the data they read as zeros (checked once per sample). */
    private long take(int n) {
        if (windowBits < n) {
            window |= (long) LONG_BE.get(buffer, nextByte) >>> windowBits;
            nextByte += (63 - windowBits) >>> 3;
            windowBits |= 56;
        }
        long bits = window >>> (64 - n);
        window <<= n;
        windowBits -= n;
        return bits;
    }

    private long consumedBits() {
        return ((long) nextByte << 3) - windowBits;
    }

    private CorruptedDataException badValueWindow(int leading, int count) {
        if (consumedBits() > bitLimit) {
            return truncated();
        }
        return fail("XOR chunk sample " + read + ": " + leading + " leading zeros plus " + count
                + " significant bits exceed 64");
    }

    private CorruptedDataException truncated() {
        return fail("XOR chunk data ends inside sample " + read + " of " + total + " (chunk is " + chunkBytes
                + " bytes)");
    }

    private CorruptedDataException fail(String problem) {
        failure = origin.corrupted(problem);
        read = total; // every later next() rethrows
        return failure;
    }
}
