package io.gauntlet.tsdb.chunks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Encodes float samples into one XOR chunk (Gorilla delta-of-delta timestamps and XOR values), producing exactly
 * the bytes Prometheus 2.42's {@code chunkenc.XORChunk} produces for the same appends. Reusable through
 * {@link #reset()}; appending allocates only when the buffer grows.
 *
 * <p>Like Prometheus' appender it does not check ordering: the caller (e.g. {@link SeriesChunkCutter}) rejects
 * out-of-order samples. Thanos' downsampled counter chunks legitimately repeat their last timestamp.
 */
public final class XorChunkAppender {
    /** The 2-byte sample count field limits a chunk to this many samples. */
    public static final int MAX_SAMPLES = 0xFFFF;
    private static final int HEADER_BYTES = 2;
    private static final int NO_WINDOW = 0xFF;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buffer;
    private int flushedBytes;
    // bits not yet in the buffer, left-aligned: the top pendingBits bits are valid
    private long pending;
    private int pendingBits;
    // Prometheus' bstream leaves an empty byte after a whole-byte write that ends on a byte boundary
    private boolean endsWithWholeByteWrite;

    private int count;
    private long firstTimestamp;
    private long lastTimestamp;
    private long lastDelta;
    private long lastValueBits;
    // the 2-byte sample count is written into the output by copyTo, not on every append
    private int leading;
    private int trailing;

    public XorChunkAppender() {
        this(128);
    }

    public XorChunkAppender(int initialCapacity) {
        buffer = new byte[Math.max(16, initialCapacity)];
        reset();
    }

    /** Starts a new, empty chunk, keeping the buffer. */
    public void reset() {
        buffer[0] = 0;
        buffer[1] = 0;
        flushedBytes = HEADER_BYTES;
        pending = 0;
        pendingBits = 0;
        count = 0;
        leading = NO_WINDOW;
        trailing = 0;
        endsWithWholeByteWrite = false;
        lastDelta = 0;
    }

    public void append(long timestamp, double value) {
        if (count >= 2) {
            appendDeltaOfDelta(timestamp, Double.doubleToRawLongBits(value));
        } else if (count == 0) {
            long valueBits = Double.doubleToRawLongBits(value);
            writeUvarint((timestamp << 1) ^ (timestamp >> 63));
            writeBits(valueBits, 64);
            endsWithWholeByteWrite = true;
            firstTimestamp = timestamp;
            lastValueBits = valueBits;
        } else {
            long delta = timestamp - lastTimestamp;
            writeUvarint(delta);
            long valueBits = Double.doubleToRawLongBits(value);
            writeValue(valueBits);
            lastDelta = delta;
        }
        lastTimestamp = timestamp;
        count++;
    }

    private void appendDeltaOfDelta(long timestamp, long valueBits) {
        if (count == MAX_SAMPLES) {
            throw new IllegalStateException("an XOR chunk holds at most " + MAX_SAMPLES + " samples");
        }
        long delta = timestamp - lastTimestamp;
        long dod = delta - lastDelta;
        lastDelta = delta;
        long xor = valueBits ^ lastValueBits;
        if (dod == 0 && xor == 0) {
            // the common case of a steady scrape and an unchanged value: two zero bits
            writeBits(0, 2);
            endsWithWholeByteWrite = false;
            return;
        }
        if (dod == 0) {
            writeBits(0, 1);
        } else if (-8191 <= dod && dod <= 8192) {
            writeBits((0b10L << 14) | (dod & 0x3FFF), 16);
        } else if (-65535 <= dod && dod <= 65536) {
            writeBits((0b110L << 17) | (dod & 0x1FFFF), 20);
        } else if (-524287 <= dod && dod <= 524288) {
            writeBits((0b1110L << 20) | (dod & 0xFFFFF), 24);
        } else {
            writeBits(0b1111, 4);
            writeBits(dod, 64);
        }
        writeValue(valueBits);
    }

    private void writeValue(long valueBits) {
        long xor = valueBits ^ lastValueBits;
        lastValueBits = valueBits;
        if (xor == 0) {
            writeBits(0, 1);
            endsWithWholeByteWrite = false;
            return;
        }
        int newLeading = Math.min(Long.numberOfLeadingZeros(xor), 31);
        int newTrailing = Long.numberOfTrailingZeros(xor);
        if (leading != NO_WINDOW && newLeading >= leading && newTrailing >= trailing) {
            // the significant bits fit the previous window: control '10' then the window's bits
            int windowBits = 64 - leading - trailing;
            if (windowBits <= 62) {
                writeBits((0b10L << windowBits) | (xor >>> trailing), 2 + windowBits);
            } else {
                writeBits(0b10, 2);
                writeBits(xor >>> trailing, windowBits);
            }
            endsWithWholeByteWrite = (windowBits & 7) == 0;
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        int significant = 64 - newLeading - newTrailing;
        // control '11', 5 bits leading zeros, 6 bits significant-bit count (64 wraps to 0)
        long header = (0b11L << 11) | ((long) newLeading << 6) | (significant & 0x3F);
        if (significant <= 51) {
            writeBits((header << significant) | (xor >>> newTrailing), 13 + significant);
        } else {
            writeBits(header, 13);
            writeBits(xor >>> newTrailing, significant);
        }
        endsWithWholeByteWrite = (significant & 7) == 0;
    }

    private void writeUvarint(long value) {
        while ((value & ~0x7FL) != 0) {
            writeBits((value & 0x7F) | 0x80, 8);
            value >>>= 7;
        }
        writeBits(value, 8);
    }

    /** Appends the low {@code n} bits of {@code value} (1 ≤ n ≤ 64; higher bits must be zero). */
    private void writeBits(long value, int n) {
        int free = 64 - pendingBits;
        if (n < free) {
            pending |= value << (free - n);
            pendingBits += n;
        } else if (n == free) {
            pending |= value;
            flushPending();
        } else {
            int rest = n - free;
            pending |= value >>> rest;
            flushPending();
            pending = value << (64 - rest);
            pendingBits = rest;
        }
    }

    private void flushPending() {
        if (flushedBytes + 8 > buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        LONG_BE.set(buffer, flushedBytes, pending);
        flushedBytes += 8;
        pending = 0;
        pendingBits = 0;
    }

    public int sampleCount() {
        return count;
    }

    /** Timestamp of the first sample; only meaningful when {@link #sampleCount()} > 0. */
    public long minTime() {
        return firstTimestamp;
    }

    /** Timestamp of the last sample; only meaningful when {@link #sampleCount()} > 0. */
    public long maxTime() {
        return lastTimestamp;
    }

    /**
     * Size of the encoded chunk in bytes (header included, last byte zero-padded). Like Prometheus, a chunk whose
     * last write was whole bytes ending on a byte boundary carries one extra zero byte.
     */
    public int encodedLength() {
        return flushedBytes + (pendingBits + 7) / 8 + (endsWithWholeByteWrite && pendingBits % 8 == 0 ? 1 : 0);
    }

    /** Copies the encoded chunk into {@code target} at {@code offset}; returns the number of bytes written. */
    public int copyTo(byte[] target, int offset) {
        int length = encodedLength();
        if (offset < 0 || offset + length > target.length) {
            throw new IllegalArgumentException("target of " + target.length + " bytes has no room for "
                    + length + " bytes at offset " + offset);
        }
        System.arraycopy(buffer, 0, target, offset, flushedBytes);
        target[offset] = (byte) (count >>> 8);
        target[offset + 1] = (byte) count;
        long bits = pending;
        for (int i = flushedBytes; i < length; i++) { // the extra byte, if any, takes zeros from the shifted-out bits
            target[offset + i] = (byte) (bits >>> 56);
            bits <<= 8;
        }
        return length;
    }

    public byte[] toByteArray() {
        byte[] bytes = new byte[encodedLength()];
        copyTo(bytes, 0);
        return bytes;
    }
}
