package io.gauntlet.bucketstore;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Postings lists, series entries and chunks fetched from the bucket, kept in one LRU bounded by their size in bytes
 * (Thanos' in-memory index cache, with chunks in it too). Thread-safe; a value larger than a quarter of the budget is not kept.
 */
public final class IndexCache {
    /** A postings list of a label pair in one block. */
    public record PostingsKey(String block, String name, String value) {
    }

    /** A series entry (its raw bytes, from the length prefix to the CRC) in one block. */
    public record SeriesKey(String block, long id) {
    }

    /** A chunk (encoding byte first, then its data) in one block. */
    public record ChunkKey(String block, long ref) {
    }

    private static final long ENTRY_OVERHEAD = 96; // key, map node, array header: a fair estimate

    private final long maxBytes;
    private final LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    public IndexCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("index cache size must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * The configured size, or a quarter of the heap when that is smaller: Thanos' 250 MB default is sized for a Go
     * process without a heap bound, while a JVM with -Xmx512m would spend half its heap on the cache and run out of
     * memory under concurrent queries.
     */
    public static long boundedByHeap(long configured, long maxHeap) {
        return maxHeap == Long.MAX_VALUE ? configured : Math.min(configured, maxHeap / 4);
    }

    public int[] postings(PostingsKey key) {
        return (int[]) get(key);
    }

    public void putPostings(PostingsKey key, int[] postings) {
        put(key, postings, 4L * postings.length + key.name().length() + key.value().length());
    }

    public byte[] series(SeriesKey key) {
        return (byte[]) get(key);
    }

    public void putSeries(SeriesKey key, byte[] entry) {
        put(key, entry, entry.length);
    }

    public byte[] chunk(ChunkKey key) {
        return (byte[]) get(key);
    }

    public void putChunk(ChunkKey key, byte[] encodingAndData) {
        put(key, encodingAndData, encodingAndData.length);
    }

    private synchronized Object get(Object key) {
        requests.incrementAndGet();
        Object value = entries.get(key);
        if (value != null) {
            hits.incrementAndGet();
        }
        return value;
    }

    private synchronized void put(Object key, Object value, long size) {
        long weight = size + ENTRY_OVERHEAD;
        if (weight > maxBytes / 4) {
            return;
        }
        Object old = entries.put(key, value);
        if (old != null) {
            bytes -= weightOf(key, old);
        }
        bytes += weight;
        Iterator<Map.Entry<Object, Object>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<Object, Object> e = eldest.next();
            bytes -= weightOf(e.getKey(), e.getValue());
            eldest.remove();
            evictions.incrementAndGet();
        }
    }

    /** Drops every entry of a block (it was unloaded). */
    public synchronized void dropBlock(String block) {
        entries.entrySet().removeIf(e -> {
            boolean drop = switch (e.getKey()) {
                case PostingsKey p -> p.block().equals(block);
                case SeriesKey k -> k.block().equals(block);
                case ChunkKey c -> c.block().equals(block);
                default -> false;
            };
            if (drop) {
                bytes -= weightOf(e.getKey(), e.getValue());
            }
            return drop;
        });
    }

    private static long weightOf(Object key, Object value) {
        if (value instanceof int[] postings) {
            PostingsKey p = (PostingsKey) key;
            return 4L * postings.length + p.name().length() + p.value().length() + ENTRY_OVERHEAD;
        }
        return ((byte[]) value).length + ENTRY_OVERHEAD;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return entries.size();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long hits() {
        return hits.get();
    }

    public long requests() {
        return requests.get();
    }

    public long evictions() {
        return evictions.get();
    }
}
