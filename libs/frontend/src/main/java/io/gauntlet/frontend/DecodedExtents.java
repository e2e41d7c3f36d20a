package io.gauntlet.frontend;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The extents of recently used cache values, already decoded, so a warm panel reads no bytes at all: an entry is used
 * only when the cache still holds exactly the bytes it was decoded from (the same array from the in-memory cache, equal
 * bytes from memcached), so it never answers anything the cache itself would not. Least recently used entries are
 * dropped beyond a byte budget (an estimate of the decoded arrays).
 */
final class DecodedExtents {
    private record Entry(byte[] value, List<Extent> extents, long bytes) {
    }

    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;

    DecodedExtents(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The extents of {@code value} under {@code hashedKey}: from memory when decoded before, else decoded now. */
    List<Extent> decode(String hashedKey, String key, byte[] value) {
        synchronized (this) {
            Entry entry = entries.get(hashedKey);
            if (entry != null && (entry.value == value || Arrays.equals(entry.value, value))) {
                return entry.extents;
            }
        }
        List<Extent> extents = Extent.decode(key, value);
        remember(hashedKey, value, extents);
        return extents;
    }

    /** {@code value} was just stored under {@code hashedKey} as the encoding of {@code extents}. */
    synchronized void remember(String hashedKey, byte[] value, List<Extent> extents) {
        long size = value.length + estimate(extents);
        Entry previous = entries.remove(hashedKey);
        if (previous != null) {
            bytes -= previous.bytes;
        }
        if (size > maxBytes) {
            return;
        }
        entries.put(hashedKey, new Entry(value, List.copyOf(extents), size));
        bytes += size;
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= oldest.next().getValue().bytes;
            oldest.remove();
        }
    }

    /** Bytes the decoded arrays take, roughly (object headers included). */
    private static long estimate(List<Extent> extents) {
        long size = 64;
        for (Extent extent : extents) {
            size += 64;
            for (RangeAnswer.Series s : extent.answer().series()) {
                size += 128 + s.metric().length * 3L + s.timestamps().length * 12L + s.valueText().length;
            }
        }
        return size;
    }

    synchronized long bytes() {
        return bytes;
    }
}
