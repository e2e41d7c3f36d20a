package io.gauntlet.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The label strings of one Series call, read from UTF-8 bytes: strings seen before (metric names, label names, jobs,
 * instances repeat from series to series) come back as the same {@link String} without allocating, others are
 * decoded and remembered until the table is full. Used by one thread at a time.
 */
final class LabelStringTable {
    /** Enough for the repeated strings of a large answer; beyond this, unique values (ids, paths) would only cost memory. */
    static final int DEFAULT_ENTRIES = 1 << 14;
    private static final int MAX_CACHED_LENGTH = 256;
    private static final int MAX_PROBES = 8;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int maxEntries;
    private byte[][] keys = new byte[256][]; // a string's UTF-8 bytes, at the slot of their hash
    private String[] strings = new String[256];
    private int size;
    private CharsetDecoder strictUtf8; // for the rare non-ASCII string; reports malformed input instead of replacing it

    /** @param maxEntries how many strings to remember; 0 decodes every string anew */
    LabelStringTable(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * The string {@code bytes[offset, offset + length)} encodes.
     *
     * @throws CharacterCodingException when the bytes are not valid UTF-8 (protobuf string fields must be)
     */
    String read(byte[] bytes, int offset, int length) throws CharacterCodingException {
        if (length == 0) {
            return "";
        }
        if (length > MAX_CACHED_LENGTH || maxEntries == 0) {
            return decode(bytes, offset, length);
        }
        int mask = keys.length - 1;
        int slot = hash(bytes, offset, length) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
            byte[] key = keys[slot];
            if (key == null) {
                String decoded = decode(bytes, offset, length);
                if (size < maxEntries) {
                    keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
                    strings[slot] = decoded;
                    if (++size * 2 > keys.length) {
                        grow();
                    }
                }
                return decoded;
            }
            if (Arrays.equals(key, 0, key.length, bytes, offset, offset + length)) {
                return strings[slot];
            }
        }
        return decode(bytes, offset, length); // a crowded neighbourhood: not worth a longer search
    }

    /** Length and 24 sampled bytes (start, middle, end): constant time whatever the length. */
    private static int hash(byte[] bytes, int offset, int length) {
        long h;
        if (length >= 8) {
            h = (long) LONGS.get(bytes, offset) * 0x9E3779B97F4A7C15L;
            h = (h ^ (long) LONGS.get(bytes, offset + (length - 8) / 2)) * 0x9E3779B97F4A7C15L;
            h = (h ^ (long) LONGS.get(bytes, offset + length - 8)) * 0x9E3779B97F4A7C15L;
        } else {
            h = 0;
            for (int i = 0; i < length; i++) {
                h = (h << 8) | (bytes[offset + i] & 0xFF);
            }
            h *= 0x9E3779B97F4A7C15L;
        }
        h ^= length;
        return (int) (h ^ (h >>> 29));
    }

    private String decode(byte[] bytes, int offset, int length) throws CharacterCodingException {
        String decoded = new String(bytes, offset, length, StandardCharsets.UTF_8);
        // the JDK replaces malformed input with U+FFFD: only then check strictly (free for Latin-1 strings, which cannot hold it)
        return decoded.indexOf('\uFFFD') < 0 ? decoded : decodeUtf8(bytes, offset, length);
    }

    private String decodeUtf8(byte[] bytes, int offset, int length) throws CharacterCodingException {
        if (strictUtf8 == null) {
            strictUtf8 = StandardCharsets.UTF_8.newDecoder();
        }
        return strictUtf8.decode(ByteBuffer.wrap(bytes, offset, length)).toString();
    }

    private void grow() {
        byte[][] oldKeys = keys;
        String[] oldStrings = strings;
        keys = new byte[oldKeys.length * 2][];
        strings = new String[oldKeys.length * 2];
        size = 0;
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            byte[] key = oldKeys[i];
            if (key == null) {
                continue;
            }
            int slot = hash(key, 0, key.length) & mask;
            for (int probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
                if (keys[slot] == null) {
                    keys[slot] = key;
                    strings[slot] = oldStrings[i];
                    size++;
                    break;
                }
            }
        }
    }
}
