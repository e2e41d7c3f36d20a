package io.gauntlet.tsdb.chunks;

import java.util.Arrays;

/**
 * A bit stream written MSB first with exactly the byte-level behaviour of Prometheus' {@code bstream}, which histogram
 * chunks depend on for identical bytes: a whole-byte write always leaves a fresh (possibly empty) last byte, and
 * {@code count} is the number of still free bits in the last byte. Also the histogram chunks' variable-bit integers.
 */
final class BitStreamWriter {
    private byte[] stream;
    private int length;
    // free bits in the last byte of the stream (0: a new byte is needed)
    private int count;

    BitStreamWriter(int headerBytes) {
        stream = new byte[Math.max(128, headerBytes * 2)];
        length = headerBytes;
        count = 0;
    }

    /** A writer continuing {@code bytes} whose last byte has {@code freeBits} unused bits. */
    BitStreamWriter(byte[] bytes, int freeBits) {
        stream = Arrays.copyOf(bytes, Math.max(128, bytes.length * 2));
        length = bytes.length;
        count = freeBits;
    }

    private void appendZeroByte() {
        if (length == stream.length) {
            stream = Arrays.copyOf(stream, stream.length * 2);
        }
        stream[length++] = 0;
    }

    void writeBit(boolean bit) {
        if (count == 0) {
            appendZeroByte();
            count = 8;
        }
        if (bit) {
            stream[length - 1] |= (byte) (1 << (count - 1));
        }
        count--;
    }

    void writeByte(int value) {
        int b = value & 0xFF;
        if (count == 0) {
            appendZeroByte();
            count = 8;
        }
        stream[length - 1] |= (byte) (b >>> (8 - count));
        appendZeroByte();
        stream[length - 1] = (byte) (b << count);
    }

    /** Writes the low {@code bits} bits of {@code value}, most significant first (1 ≤ bits ≤ 64). */
    void writeBits(long value, int bits) {
        long u = value << (64 - bits);
        while (bits >= 8) {
            writeByte((int) (u >>> 56));
            u <<= 8;
            bits -= 8;
        }
        if (bits > 0) {
            writeFewBits((int) (u >>> (64 - bits)), bits);
        }
    }

    /** The low {@code bits} (1–7) bits of {@code value} at once, leaving the stream as that many {@link #writeBit}s do. */
    private void writeFewBits(int value, int bits) {
        if (count == 0) {
            appendZeroByte();
            count = 8;
        }
        if (bits <= count) {
            count -= bits;
            stream[length - 1] |= (byte) (value << count);
            return;
        }
        int rest = bits - count;
        stream[length - 1] |= (byte) (value >>> rest);
        appendZeroByte();
        count = 8 - rest;
        stream[length - 1] = (byte) (value << count);
    }

    /** Prometheus' {@code putVarbitInt}: a unary width prefix, then 3, 6, 9, 12, 18, 25, 56 or 64 two's-complement bits. */
    void writeVarbitInt(long value) {
        if (value == 0) {
            writeBit(false);
        } else if (inSignedRange(value, 3)) {
            writeBits(0b10, 2);
            writeBits(value & 0x7, 3);
        } else if (inSignedRange(value, 6)) {
            writeBits(0b110, 3);
            writeBits(value & 0x3F, 6);
        } else if (inSignedRange(value, 9)) {
            writeBits(0b1110, 4);
            writeBits(value & 0x1FF, 9);
        } else if (inSignedRange(value, 12)) {
            writeBits(0b11110, 5);
            writeBits(value & 0xFFF, 12);
        } else if (inSignedRange(value, 18)) {
            writeBits(0b111110, 6);
            writeBits(value & 0x3FFFF, 18);
        } else if (inSignedRange(value, 25)) {
            writeBits(0b1111110, 7);
            writeBits(value & 0x1FFFFFF, 25);
        } else if (inSignedRange(value, 56)) {
            writeBits(0b11111110, 8);
            writeBits(value & 0xFFFFFFFFFFFFFFL, 56);
        } else {
            writeBits(0b11111111, 8);
            writeBits(value, 64);
        }
    }

    /** Prometheus' {@code putVarbitUint}: the same prefixes with unsigned payloads. */
    void writeVarbitUint(long value) {
        int width = 64 - Long.numberOfLeadingZeros(value);
        if (value == 0) {
            writeBit(false);
        } else if (width <= 3) {
            writeBits(0b10, 2);
            writeBits(value, 3);
        } else if (width <= 6) {
            writeBits(0b110, 3);
            writeBits(value, 6);
        } else if (width <= 9) {
            writeBits(0b1110, 4);
            writeBits(value, 9);
        } else if (width <= 12) {
            writeBits(0b11110, 5);
            writeBits(value, 12);
        } else if (width <= 18) {
            writeBits(0b111110, 6);
            writeBits(value, 18);
        } else if (width <= 25) {
            writeBits(0b1111110, 7);
            writeBits(value, 25);
        } else if (width <= 56) {
            writeBits(0b11111110, 8);
            writeBits(value, 56);
        } else {
            writeBits(0b11111111, 8);
            writeBits(value, 64);
        }
    }

    /** Prometheus' {@code bitRange}: {@code -(2^(n-1) - 1) <= x <= 2^(n-1)}. */
    private static boolean inSignedRange(long x, int bits) {
        long half = 1L << (bits - 1);
        return -(half - 1) <= x && x <= half;
    }

    /**
     * Gorilla XOR of a float against the previous one, with the leading/trailing-zero window in {@code window}
     * ({@code [0]} leading, {@code [1]} trailing; leading 0xFF = no window yet), like Prometheus' {@code xorWrite}.
     */
    void writeXor(double value, double previous, int[] window) {
        long delta = Double.doubleToRawLongBits(value) ^ Double.doubleToRawLongBits(previous);
        if (delta == 0) {
            writeBit(false);
            return;
        }
        writeBit(true);
        int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (window[0] != 0xFF && newLeading >= window[0] && newTrailing >= window[1]) {
            writeBit(false);
            writeBits(delta >>> window[1], 64 - window[0] - window[1]);
            return;
        }
        window[0] = newLeading;
        window[1] = newTrailing;
        writeBit(true);
        writeBits(newLeading, 5);
        int significant = 64 - newLeading - newTrailing;
        writeBits(significant & 0x3F, 6);
        writeBits(delta >>> newTrailing, significant);
    }

    int length() {
        return length;
    }

    /** Free bits in the last byte. */
    int freeBits() {
        return count;
    }

    byte byteAt(int index) {
        return stream[index];
    }

    void setByte(int index, int value) {
        stream[index] = (byte) value;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(stream, length);
    }
}
