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
    /** A word load yields at least this many valid bits whatever the bit position inside its first byte. */
    private static final int BITS_PER_LOAD = 57;

    private MemorySegment data = MemorySegment.NULL;
    private long start;
    private long end;
    private long bitLimit;
    private long bitPosition;
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
        this.origin = origin;
        this.data = segment;
        this.start = offset;
        this.end = offset + length;
        this.bitLimit = length * 8;
        this.bitPosition = 16;
        this.failure = null;
        this.read = 0;
        this.exhausted = false;
        this.leading = 0;
        this.trailing = 0;
        this.delta = 0;
        if (offset < 0 || length < 0 || offset + length > segment.byteSize()) {
            throw new IllegalArgumentException("chunk [" + offset + ", " + (offset + length) + ") lies outside a segment of "
                    + segment.byteSize() + " bytes");
        }
        if (length < 2) {
            total = 0;
            exhausted = true;
            throw fail("XOR chunk of " + length + " bytes has no 2-byte sample count");
        }
        total = segment.get(SHORT_BE, offset) & 0xFFFF;
        return this;
    }

    /** Number of samples the chunk header announces. */
    public int sampleCount() {
        return total;
    }

    @Override
    public boolean next() throws CorruptedDataException {
        if (failure != null) {
            throw failure;
        }
        if (read >= total) {
            exhausted = true;
            return false;
        }
        if (read >= 2) {
            readDeltaOfDelta();
            readValue();
        } else if (read == 0) {
            long zigZag = readUvarint();
            timestamp = (zigZag >>> 1) ^ -(zigZag & 1);
            valueBits = readBits(64);
        } else {
            delta = readUvarint();
            timestamp += delta;
            readValue();
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

    private void readDeltaOfDelta() throws CorruptedDataException {
        long word = word();
        long dod;
        int used;
        if (word >= 0) {
            // '0': same delta as before
            bitPosition += 1;
            checkLimit();
            timestamp += delta;
            return;
        } else if ((word << 1) >= 0) {
            dod = (word << 2) >>> 50;
            used = 16;
            if (dod > 1L << 13) {
                dod -= 1L << 14;
            }
        } else if ((word << 2) >= 0) {
            dod = (word << 3) >>> 47;
            used = 20;
            if (dod > 1L << 16) {
                dod -= 1L << 17;
            }
        } else if ((word << 3) >= 0) {
            dod = (word << 4) >>> 44;
            used = 24;
            if (dod > 1L << 19) {
                dod -= 1L << 20;
            }
        } else {
            bitPosition += 4;
            checkLimit();
            dod = readBits(64);
            used = 0;
        }
        bitPosition += used;
        checkLimit();
        delta += dod;
        timestamp += delta;
    }

    private void readValue() throws CorruptedDataException {
        long word = word();
        if (word >= 0) {
            bitPosition += 1;
            checkLimit();
            return;
        }
        long xor;
        if ((word << 1) >= 0) {
            // '10': the significant bits use the previous window
            int significant = 64 - leading - trailing;
            if (2 + significant <= BITS_PER_LOAD) {
                xor = (word << 2) >>> (64 - significant);
                bitPosition += 2 + significant;
                checkLimit();
            } else {
                bitPosition += 2;
                checkLimit();
                xor = readBits(significant);
            }
        } else {
            // '11': 5 bits leading zeros, 6 bits significant-bit count (0 means 64), then the bits
            if (bitPosition + 13 > bitLimit) {
                bitPosition += 13;
                checkLimit();
            }
            int newLeading = (int) ((word << 2) >>> 59);
            int significant = (int) ((word << 7) >>> 58);
            if (significant == 0) {
                significant = 64;
            }
            if (newLeading + significant > 64) {
                throw fail("XOR chunk sample " + read + ": " + newLeading + " leading zeros plus " + significant
                        + " significant bits exceed 64");
            }
            leading = newLeading;
            trailing = 64 - newLeading - significant;
            if (13 + significant <= BITS_PER_LOAD) {
                xor = (word << 13) >>> (64 - significant);
                bitPosition += 13 + significant;
                checkLimit();
            } else {
                bitPosition += 13;
                checkLimit();
                xor = readBits(significant);
            }
        }
        valueBits ^= xor << trailing;
    }

    private long readUvarint() throws CorruptedDataException {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readBits(8);
            if (shift == 63 && b > 1) {
                break;
            }
            result |= (b & 0x7F) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw fail("XOR chunk sample " + read + ": timestamp varint overflows 64 bits");
    }

    /** Reads {@code n} bits (1 ≤ n ≤ 64), checking the end of the data. */
    private long readBits(int n) throws CorruptedDataException {
        if (n > BITS_PER_LOAD) {
            long high = readBits(n - 32);
            return (high << 32) | readBits(32);
        }
        long bits = word() >>> (64 - n);
        bitPosition += n;
        checkLimit();
        return bits;
    }

    /** The next bits from the current position, left-aligned; at least 57 are valid (zeros past the end). */
    private long word() {
        long byteIndex = start + (bitPosition >>> 3);
        long raw;
        if (byteIndex + 8 <= end) {
            raw = data.get(LONG_BE, byteIndex);
        } else {
            raw = 0;
            for (int i = 0; i < 8; i++) {
                raw <<= 8;
                if (byteIndex + i < end) {
                    raw |= data.get(ValueLayout.JAVA_BYTE, byteIndex + i) & 0xFF;
                }
            }
        }
        return raw << (bitPosition & 7);
    }

    private void checkLimit() throws CorruptedDataException {
        if (bitPosition > bitLimit) {
            throw fail("XOR chunk data ends inside sample " + read + " of " + total + " (chunk is " + (end - start)
                    + " bytes)");
        }
    }

    private CorruptedDataException fail(String problem) {
        failure = origin.corrupted(problem);
        return failure;
    }
}
