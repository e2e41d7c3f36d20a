package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.storage.SampleIterator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes an XOR chunk (Prometheus {@code chunkenc.XORChunk}) straight from a {@link MemorySegment}, e.g. a slice of a
 * memory-mapped segment file. One instance is meant to be {@link #reset reset} and reused; decoding allocates nothing.
 * Data that ends before the sample count in its header is reached fails with {@link CorruptedDataException}.
 */
public final class XorSampleIterator implements SampleIterator {
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A refill leaves at least this many valid bits in the window. */
    private static final int BITS_PER_REFILL = 57;

    private MemorySegment data = MemorySegment.NULL;
    private long start;
    private long end;
    private long bitLimit;
    // next bits of the stream, left-aligned; the top windowBits bits are valid, the bits below are the stream's
    // continuation or zero
    private long window;
    private int windowBits;
    private long nextByte;
    private ChunkOrigin origin = ChunkOrigin.unknown();
    private CorruptedDataException failure;

    private int total;
    private int read;
    private boolean exhausted;
    private long timestamp;
    private long delta;
    private long valueBits;
    private int leading;
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
        this.data = segment;
        this.start = offset;
        this.end = offset + length;
        this.bitLimit = length * 8;
        this.failure = null;
        this.read = 0;
        this.exhausted = false;
        this.leading = 0;
        this.trailing = 0;
        this.delta = 0;
        this.window = 0;
        this.windowBits = 0;
        if (length < 2) {
            total = 0;
            exhausted = true;
            throw fail("XOR chunk of " + length + " bytes has no 2-byte sample count");
        }
        total = segment.get(SHORT_BE, offset) & 0xFFFF;
        this.nextByte = offset + 2;
        return this;
    }

    /** Number of samples the chunk header announces. */
    public int sampleCount() {
        return total;
    }

    @Override
    public boolean next() throws CorruptedDataException {
        if (read >= total) {
            if (failure != null) {
                throw failure;
            }
            exhausted = true;
            return false;
        }
        if (read >= 2) {
            readDeltaOfDelta();
            readValue();
        } else if (read == 0) {
            long zigZag = readUvarint();
            timestamp = (zigZag >>> 1) ^ -(zigZag & 1);
            valueBits = (take(32) << 32) | take(32);
        } else {
            delta = readUvarint();
            timestamp += delta;
            readValue();
        }
        if (consumedBits() > bitLimit) {
            throw truncated();
        }
        read++;
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

    private void readDeltaOfDelta() {
        if (windowBits < 24) {
            refill();
        }
        long word = window;
        if (word >= 0) {
            // '0': same delta as before
            window = word << 1;
            windowBits -= 1;
            timestamp += delta;
            return;
        }
        long dod;
        if ((word << 1) >= 0) {
            dod = (word << 2) >>> 50;
            window = word << 16;
            windowBits -= 16;
            if (dod > 1L << 13) {
                dod -= 1L << 14;
            }
        } else if ((word << 2) >= 0) {
            dod = (word << 3) >>> 47;
            window = word << 20;
            windowBits -= 20;
            if (dod > 1L << 16) {
                dod -= 1L << 17;
            }
        } else if ((word << 3) >= 0) {
            dod = (word << 4) >>> 44;
            window = word << 24;
            windowBits -= 24;
            if (dod > 1L << 19) {
                dod -= 1L << 20;
            }
        } else {
            window = word << 4;
            windowBits -= 4;
            dod = (take(32) << 32) | take(32);
        }
        delta += dod;
        timestamp += delta;
    }

    private void readValue() throws CorruptedDataException {
        if (windowBits < 13) {
            refill();
        }
        long word = window;
        if (word >= 0) {
            // '0': value unchanged
            window = word << 1;
            windowBits -= 1;
            return;
        }
        int significant;
        if ((word << 1) >= 0) {
            // '10': the significant bits use the previous window
            window = word << 2;
            windowBits -= 2;
            significant = 64 - leading - trailing;
        } else {
            // '11': 5 bits leading zeros, 6 bits significant-bit count (0 means 64), then the bits
            int newLeading = (int) ((word << 2) >>> 59);
            significant = (int) ((word << 7) >>> 58);
            if (significant == 0) {
                significant = 64;
            }
            window = word << 13;
            windowBits -= 13;
            if (newLeading + significant > 64) {
                if (consumedBits() > bitLimit) {
                    throw truncated();
                }
                throw fail("XOR chunk sample " + read + ": " + newLeading + " leading zeros plus " + significant
                        + " significant bits exceed 64");
            }
            leading = newLeading;
            trailing = 64 - newLeading - significant;
        }
        long xor;
        if (significant <= BITS_PER_REFILL) {
            if (windowBits < significant) {
                refill();
            }
            xor = window >>> (64 - significant);
            window <<= significant;
            windowBits -= significant;
        } else {
            xor = take(significant - 32) << 32 | take(32);
        }
        valueBits ^= xor << trailing;
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

    /** Takes {@code n} bits (1 ≤ n ≤ 57); past the end of the data they read as zeros (checked once per sample). */
    private long take(int n) {
        if (windowBits < n) {
            refill();
        }
        long bits = window >>> (64 - n);
        window <<= n;
        windowBits -= n;
        return bits;
    }

    /** Tops the window up to at least 57 valid bits: one 8-byte load, or bytes one by one near the end. */
    private void refill() {
        if (nextByte + 8 <= end) {
            window |= data.get(LONG_BE, nextByte) >>> windowBits;
            int bytes = (64 - windowBits) >>> 3;
            nextByte += bytes;
            windowBits += bytes << 3;
        } else {
            while (windowBits <= 56) {
                long b = nextByte < end ? data.get(ValueLayout.JAVA_BYTE, nextByte) & 0xFF : 0;
                window |= b << (56 - windowBits);
                windowBits += 8;
                nextByte++;
            }
        }
    }

    private long consumedBits() {
        return (nextByte - start) * 8 - windowBits;
    }

    private CorruptedDataException truncated() {
        return fail("XOR chunk data ends inside sample " + read + " of " + total + " (chunk is " + (end - start)
                + " bytes)");
    }

    private CorruptedDataException fail(String problem) {
        failure = origin.corrupted(problem);
        read = total; // every later next() rethrows
        return failure;
    }
}
