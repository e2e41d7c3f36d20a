package io.gauntlet.tsdb.index;

import java.util.Arrays;

/** A growable byte array with Prometheus' integer encodings (big-endian fixed, LEB128 varints). */
final class ByteSink {
    private byte[] bytes;
    private int size;

    ByteSink(int capacity) {
        bytes = new byte[capacity];
    }

    void reset() {
        size = 0;
    }

    int size() {
        return size;
    }

    byte[] array() {
        return bytes;
    }

    private void ensure(int extra) {
        if (size + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        }
    }

    void put(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void put(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    void putBe32(long value) {
        ensure(4);
        bytes[size++] = (byte) (value >>> 24);
        bytes[size++] = (byte) (value >>> 16);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    void putBe64(long value) {
        putBe32(value >>> 32);
        putBe32(value);
    }

    void putUvarint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    void putVarint(long value) {
        putUvarint((value << 1) ^ (value >> 63));
    }

    void putUvarintBytes(byte[] utf8) {
        putUvarint(utf8.length);
        put(utf8, 0, utf8.length);
    }

    static int uvarintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }
}
