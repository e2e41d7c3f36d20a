package io.gauntlet.tsdb.chunks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads a chunk's bit stream (MSB first) from a reused, zero-padded copy: every read is one unaligned 8-byte load, so
 * decoding allocates nothing. Reads past the data see zeros; callers compare {@link #position()} with
 * {@link #limit()} to detect truncated data.
 */
final class BitStreamReader {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    // a read of up to 72 bits at a position up to 8 bits past the limit stays inside the copy
    private static final int PADDING = 24;
    // payload width by the number of leading 1 bits of a varbit prefix (8 ones: 64 raw bits)
    private static final int[] VARBIT_WIDTHS = {0, 3, 6, 9, 12, 18, 25, 56, 64};

    private byte[] buffer = new byte[PADDING];
    private long position;
    private long limit;

    /** Copies {@code length} bytes at {@code offset} and positions the reader {@code skipBytes} bytes in. */
    void reset(MemorySegment segment, long offset, int length, int skipBytes) {
        if (buffer.length < length + PADDING) {
            buffer = new byte[Math.max(length + PADDING, buffer.length * 2)];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, buffer, 0, length);
        java.util.Arrays.fill(buffer, length, length + PADDING, (byte) 0);
        position = (long) skipBytes * 8;
        limit = (long) length * 8;
    }

    long position() {
        return position;
    }

    long limit() {
        return limit;
    }

    /** Whether the reads so far stayed inside the data. */
    boolean overran() {
        return position > limit;
    }

    private long peek() {
        int index = (int) Math.min(position >>> 3, limit >>> 3);
        return (long) LONG_BE.get(buffer, index) << (position & 7);
    }

    /** The next {@code bits} bits (1 ≤ bits ≤ 64) as an unsigned value. */
    long readBits(int bits) {
        if (position > limit) {
            position += bits;
            return 0;
        }
        int index = (int) (position >>> 3);
        int shift = (int) (position & 7);
        long window = (long) LONG_BE.get(buffer, index) << shift;
        long result = window >>> (64 - bits);
        int available = 64 - shift;
        if (bits > available) {
            result |= (buffer[index + 8] & 0xFF) >>> (8 - (bits - available));
        }
        position += bits;
        return result;
    }

    boolean readBit() {
        return readBits(1) != 0;
    }

    /**
     * The short varbit codes by their first 9 bits, for the bucket loop and the scalar fields: {@code value << 4 | bits used} for "0"
     * (0, 1 bit), "10" + 3 bits (-3..4, 5 bits) and "110" + 6 bits (-31..32, 9 bits); 0 for a longer code. One table
     * load replaces the leading-ones count and the branches on it, which mispredict on noisy buckets.
     */
    private static final int[] SHORT_CODES = shortCodes();

    /** {@link #SHORT_CODES} indexed by the complement of the first 9 bits (the bucket loop keeps its window inverted). */
    private static final int[] INVERTED_SHORT_CODES = invertedShortCodes();

    private static int[] invertedShortCodes() {
        int[] table = new int[512];
        for (int i = 0; i < 512; i++) {
            table[i] = SHORT_CODES[i ^ 0x1FF];
        }
        return table;
    }

    private static int[] shortCodes() {
        int[] table = new int[512];
        for (int i = 0; i < 512; i++) {
            if ((i & 0x100) == 0) {
                table[i] = 1;
            } else if ((i & 0x80) == 0) {
                int v = (i >>> 4) & 0x7;
                table[i] = (v > 4 ? v - 8 : v) << 4 | 5;
            } else if ((i & 0x40) == 0) {
                int v = i & 0x3F;
                table[i] = (v > 32 ? v - 64 : v) << 4 | 9;
            }
        }
        return table;
    }

    /** Prometheus' {@code readVarbitInt}. */
    long readVarbitInt() {
        long window = peek();
        int code = SHORT_CODES[(int) (window >>> 55)];
        if (code != 0) {
            position += code & 0xF;
            return code >> 4;
        }
        int ones = Math.min(Long.numberOfLeadingZeros(~window), 8);
        int width = VARBIT_WIDTHS[ones];
        int prefix = ones == 8 ? 8 : ones + 1;
        long bits;
        if (prefix + width <= 57) {
            bits = (window << prefix) >>> (64 - width);
            position += prefix + width;
        } else {
            position += prefix;
            bits = readBits(width);
        }
        if (width < 64 && bits > (1L << (width - 1))) {
            bits -= 1L << width;
        }
        return bits;
    }

    /**
     * Three varbit ints in a row (a sample's timestamp, count and zero count deltas of deltas) into {@code out} from one
     * 64-bit load when each code is at most 17 bits (up to four leading ones: 51 bits for all three, always inside the
     * load's 57), the common case: each code's length comes from its prefix, so the three codes cost one load instead
     * of a load per code. A longer code and the ones after it are read one at a time.
     */
    void readThreeVarbitInts(long[] out) {
        long window = peek();
        long pos = position;
        for (int i = 0; i < 3; i++) {
            int ones = Long.numberOfLeadingZeros(~window);
            if (ones > 4) {
                position = pos;
                for (; i < 3; i++) {
                    out[i] = readVarbitInt();
                }
                return;
            }
            int width = 3 * ones; // 0, 3, 6, 9 or 12 bits after the prefix
            // two shifts so that a zero width gives zero (a Java shift by 64 is a shift by 0)
            long value = ((window << (ones + 1)) >>> 1) >>> (63 - width);
            long span = 1L << width;
            if (value > span >>> 1) {
                value -= span;
            }
            out[i] = value;
            int used = 4 * ones + 1;
            window <<= used;
            pos += used;
        }
        position = pos;
    }

    /**
     * The hot loop of histogram decoding: one varbit delta of delta per bucket, applied to the bucket's delta and
     * value, with the running absolute counts. Keeps the bit position in a local; stops early past the data (the caller
     * checks {@link #overran()}).
     */
    void readBucketDeltasOfDeltas(long[] buckets, long[] deltas, double[] counts) {
        int n = buckets.length;
        if (deltas.length < n || counts.length < n) {
            throw new IllegalArgumentException("bucket arrays of different lengths");
        }
        byte[] data = buffer;
        long pos = position;
        long end = limit;
        long absolute = 0;
        // the window's bits complemented, so that the count of a prefix's leading ones is one leading-zero count with no
        // negation on the chain from one code to the next (the bits shifted in at the bottom are never read: the window
        // is reloaded first)
        long inverted = 0;
        long windowStart = 0;
        // codes left in the window: one load leaves at least 57 bits, room for six short codes (9 bits at most), so
        // the window is reloaded every sixth bucket, a pattern the branch predictor learns
        int left = 0;
        for (int i = 0; i < n; i++) {
            if (left == 0) {
                if (pos > end) {
                    break;
                }
                inverted = ~((long) LONG_BE.get(data, (int) (pos >>> 3)) << (pos & 7));
                windowStart = pos;
                left = 6;
            }
            left--;
            int ones = Long.numberOfLeadingZeros(inverted);
            long dod;
            if (ones <= 2) {
                // the length comes from the prefix alone (1, 5 or 9 bits), keeping the table load off the chain from
                // one code to the next
                int used = 4 * ones + 1;
                dod = INVERTED_SHORT_CODES[(int) (inverted >>> 55)] >> 4;
                inverted <<= used;
                pos += used;
            } else {
                dod = readLongCode(~inverted, ones, windowStart, pos);
                pos = position;
                left = 0; // the window is spent
            }
            long delta = deltas[i] + dod;
            deltas[i] = delta;
            long value = buckets[i] + delta;
            buckets[i] = value;
            absolute += value;
            counts[i] = absolute;
        }
        position = pos;
    }

    /**
     * A varbit code of 12 bits or more at {@code pos}, cut from {@code window} (loaded at {@code windowStart}) when it
     * holds the whole code; leaves {@link #position} after it.
     */
    private long readLongCode(long window, int ones, long windowStart, long pos) {
        int valid = 64 - (int) (windowStart & 7) - (int) (pos - windowStart);
        if (ones < 7) {
            int width = VARBIT_WIDTHS[ones];
            int used = ones + 1 + width;
            if (used <= valid) {
                long dod = (window << (ones + 1)) >>> (64 - width);
                position = pos + used;
                return dod > (1L << (width - 1)) ? dod - (1L << width) : dod;
            }
        }
        position = pos;
        return readVarbitInt();
    }

    /** Prometheus' {@code readVarbitUint}. */
    long readVarbitUint() {
        long window = peek();
        if (window >= 0) {
            position++;
            return 0;
        }
        int ones = Math.min(Long.numberOfLeadingZeros(~window), 8);
        int width = VARBIT_WIDTHS[ones];
        int prefix = ones == 8 ? 8 : ones + 1;
        if (prefix + width <= 57) {
            position += prefix + width;
            return (window << prefix) >>> (64 - width);
        }
        position += prefix;
        return readBits(width);
    }

    /**
     * Prometheus' {@code xorRead}: the new value bits given the previous ones, updating the leading/trailing window
     * kept in {@code windows[2 i]} and {@code windows[2 i + 1]}.
     */
    long readXor(long previousBits, byte[] windows, int i) {
        long window = peek();
        if (window >= 0) {
            position++;
            return previousBits;
        }
        int leading;
        int significant;
        if ((window << 1) >= 0) {
            position += 2;
            leading = windows[2 * i];
            significant = 64 - leading - windows[2 * i + 1];
        } else {
            leading = (int) ((window << 2) >>> 59);
            significant = (int) ((window << 7) >>> 58);
            if (significant == 0) {
                significant = 64;
            }
            position += 13;
            windows[2 * i] = (byte) leading;
            windows[2 * i + 1] = (byte) (64 - leading - significant);
        }
        if (significant <= 0 || leading + significant > 64) {
            position = limit + 1; // corrupt window: reported as an overrun by the caller
            return previousBits;
        }
        long bits = peek64() >>> (64 - significant);
        position += significant;
        return previousBits ^ (bits << (64 - leading - significant));
    }

    /** The next 64 bits without a branch on the bit offset (reads past the data see the padding's zeros). */
    private long peek64() {
        int index = (int) Math.min(position >>> 3, limit >>> 3);
        int shift = (int) (position & 7);
        return (long) LONG_BE.get(buffer, index) << shift | (buffer[index + 8] & 0xFFL) >>> (8 - shift);
    }

    /** A byte (not necessarily aligned). */
    int readByte() {
        return (int) readBits(8);
    }
}
