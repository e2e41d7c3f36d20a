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
    /**
     * 64 minus the payload width of the delta-of-delta buckets '0', '10', '110', '1110' (0, 14, 17, 20 bits), one per
     * byte, by leading 1 bits.
     */
    private static final int DOD_SHIFTS = 64 | 50 << 8 | 47 << 16 | 44 << 24;

    private byte[] buffer = new byte[0];
    private long bitLimit;
    // the chunk's length: a sample that ends at or before this byte cannot have run past the data
    private int dataBytes;
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
        this.dataBytes = (int) Math.min(length, Integer.MAX_VALUE);
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
                int shift = (DOD_SHIFTS >>> (ones << 3)) & 0xFF;
                // Prometheus' buckets hold [1 - 2^(w-1), 2^(w-1)]: the payload minus one, sign-extended, plus one;
                // the '0' bucket (whose shift by 64 would be a no-op) is masked to 0
                long payload = bits << (ones + 1);
                dod = (((payload - (1L << shift)) >> shift) + 1) & ((long) -ones >> 63);
                int used = 65 + ones - shift;
                bits <<= used;
                valid -= used;
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
            // the second sample's delta varint follows the first value, still byte-aligned and the window empty
            long d = readAlignedUvarint();
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
        // consumed bits = position * 8 - valid: only past the data's last byte can a sample have over-run it
        if (position > dataBytes && ((long) position << 3) - valid > bitLimit) {
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
        // the first sample is byte-aligned: a varint timestamp right after the header, then the raw 64-bit value
        long zigZag = readAlignedUvarint();
        timestamp = (zigZag >>> 1) ^ -(zigZag & 1);
        valueBits = (long) LONG_BE.get(buffer, nextByte);
        nextByte += 8;
        if (((long) nextByte << 3) > bitLimit) {
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

    /** A uvarint starting on a byte boundary at {@code nextByte}, read byte by byte (the window is empty). */
    private long readAlignedUvarint() throws CorruptedDataException {
        byte[] data = buffer;
        int position = nextByte;
        long result = 0;
        // at most 10 bytes from byte 20 or less: inside the padded buffer
        for (int shift = 0; shift < 70; shift += 7) {
            int b = data[position++] & 0xFF;
            if (shift == 63 && b > 1) {
                break;
            }
            result |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                nextByte = position;
                return result;
            }
        }
        nextByte = position;
        if (((long) position << 3) > bitLimit) {
            throw truncated();
        }
        throw fail("XOR chunk sample " + read + ": timestamp varint overflows 64 bits");
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
