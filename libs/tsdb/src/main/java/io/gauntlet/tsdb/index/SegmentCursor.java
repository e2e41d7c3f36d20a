package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.CorruptedDataException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A read position inside a window {@code [position, limit)} of a mapped file. Every read is bounds-checked
 * against the window, so corrupted lengths and offsets surface as {@link CorruptedDataException}, never as an
 * out-of-bounds error. Not thread-safe: one cursor per reading thread.
 */
final class SegmentCursor {
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment segment;
    private final String block;
    private final String file;
    private long position;
    private long limit;
    private byte[] scratch = new byte[64];

    SegmentCursor(MemorySegment segment, String block, String file) {
        this.segment = segment;
        this.block = block;
        this.file = file;
    }

    /** Moves the window; fails when it does not lie inside the segment. */
    SegmentCursor window(long start, long end) throws CorruptedDataException {
        if (start < 0 || end < start || end > segment.byteSize()) {
            throw corrupted(start, "range [" + start + ", " + end + ") outside the file of " + segment.byteSize() + " bytes");
        }
        position = start;
        limit = end;
        return this;
    }

    long position() {
        return position;
    }

    long limit() {
        return limit;
    }

    long remaining() {
        return limit - position;
    }

    void seek(long newPosition) throws CorruptedDataException {
        if (newPosition < 0 || newPosition > limit) {
            throw corrupted(newPosition, "offset outside its section ending at " + limit);
        }
        position = newPosition;
    }

    void skip(long bytes) throws CorruptedDataException {
        if (bytes < 0 || bytes > limit - position) {
            throw corrupted(position, "length " + bytes + " runs past the end of its section at " + limit);
        }
        position += bytes;
    }

    int u8() throws CorruptedDataException {
        need(1);
        return segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    /** A big-endian uint32. */
    long be32() throws CorruptedDataException {
        need(4);
        long value = Integer.toUnsignedLong(segment.get(BE_INT, position));
        position += 4;
        return value;
    }

    long be64() throws CorruptedDataException {
        need(8);
        long value = segment.get(BE_LONG, position);
        position += 8;
        return value;
    }

    /** Unsigned LEB128 as Go's binary.Uvarint reads it: at most 10 bytes, no overflow. */
    long uvarint() throws CorruptedDataException {
        long start = position;
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = u8();
            if (shift == 63 && b > 1) {
                throw corrupted(start, "varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw corrupted(start, "varint longer than 10 bytes");
    }

    /** A uvarint that must fit in an unsigned 32-bit integer. */
    long uvarint32() throws CorruptedDataException {
        long start = position;
        long value = uvarint();
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw corrupted(start, "value " + Long.toUnsignedString(value) + " does not fit 32 bits");
        }
        return value;
    }

    /** A uvarint used as a length or count: non-negative and at most the bytes left in the window. */
    int length() throws CorruptedDataException {
        long start = position;
        long value = uvarint();
        if (value < 0 || value > Math.min(remaining(), Integer.MAX_VALUE - 16)) {
            throw corrupted(start, "length " + Long.toUnsignedString(value) + " exceeds the " + remaining() + " bytes left in its section");
        }
        return (int) value;
    }

    /** Zig-zag signed varint. */
    long varint() throws CorruptedDataException {
        long raw = uvarint();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A uvarint-prefixed UTF-8 string. */
    String string() throws CorruptedDataException {
        int length = length();
        return stringOfLength(length);
    }

    String stringOfLength(int length) throws CorruptedDataException {
        need(length);
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, scratch, 0, length);
        position += length;
        return new String(scratch, 0, length, StandardCharsets.UTF_8);
    }

    /** Skips a uvarint-prefixed string. */
    void skipString() throws CorruptedDataException {
        int length = length();
        position += length;
    }

    /** Compares the uvarint-prefixed string at the position with {@code utf8} bytewise, consuming it. */
    int compareString(byte[] utf8) throws CorruptedDataException {
        int length = length();
        long start = position;
        position += length;
        int common = Math.min(length, utf8.length);
        long mismatch = MemorySegment.mismatch(segment, start, start + common, MemorySegment.ofArray(utf8), 0, common);
        if (mismatch >= 0) {
            int a = segment.get(ValueLayout.JAVA_BYTE, start + mismatch) & 0xFF;
            int b = utf8[(int) mismatch] & 0xFF;
            return Integer.compare(a, b);
        }
        return Integer.compare(length, utf8.length);
    }

    /** Fails unless the CRC-32C of {@code [start, end)} equals the big-endian uint32 stored at {@code end}. */
    void checkCrc(long start, long end, String what) throws CorruptedDataException {
        if (start < 0 || end < start || end + 4 > segment.byteSize()) {
            throw corrupted(start, what + " and its checksum run past the end of the file");
        }
        long expected = Integer.toUnsignedLong(segment.get(BE_INT, end));
        long actual = crc32c(segment, start, end);
        if (expected != actual) {
            throw corrupted(start, what + " checksum mismatch: stored " + Long.toHexString(expected) + ", computed " + Long.toHexString(actual));
        }
    }

    static long crc32c(MemorySegment segment, long start, long end) {
        CRC32C crc = new CRC32C();
        for (long from = start; from < end; ) {
            long chunk = Math.min(end - from, 1L << 30); // a ByteBuffer view is limited to 2 GiB
            crc.update(segment.asSlice(from, chunk).asByteBuffer());
            from += chunk;
        }
        return crc.getValue();
    }

    private void need(long bytes) throws CorruptedDataException {
        if (bytes > limit - position) {
            throw corrupted(position, "read of " + bytes + " bytes runs past the end of its section at " + limit);
        }
    }

    CorruptedDataException corrupted(long offset, String problem) {
        return new CorruptedDataException(block, file, offset, problem);
    }
}
