package io.gauntlet.frontend.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code IN-MEMORY} results cache: least recently used values dropped once the values and keys exceed
 * {@code max_size} bytes (or {@code max_size_items} entries), values older than {@code validity} not returned.
 * Exports Cortex's FIFO cache metrics ({@code querier_cache_*}) as Thanos' query frontend does.
 */
public final class InMemoryResultsCache implements ResultsCache {
    private static final int ENTRY_OVERHEAD = 64; // map entry, key object and array headers: roughly

    private record Entry(byte[] value, long storedAt) {
    }

    private final long maxBytes;
    private final int maxItems;
    private final Duration validity;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private final Counter added;
    private final Counter evicted;
    private final Counter gets;
    private final Counter misses;
    private final Counter staleGets;

    public InMemoryResultsCache(long maxBytes, int maxItems, Duration validity, Clock clock, MeterRegistry meters) {
        if (maxBytes <= 0 && maxItems <= 0) {
            throw new IllegalArgumentException("an IN-MEMORY cache needs max_size or max_size_items");
        }
        this.maxBytes = maxBytes;
        this.maxItems = maxItems;
        this.validity = validity;
        this.clock = clock;
        String name = "frontend.query-range";
        this.added = Counter.builder("querier_cache_added").tag("cache", name).description("The total number of Put calls on the cache").register(meters);
        this.evicted = Counter.builder("querier_cache_evicted").tag("cache", name).description("The total number of evicted entries").register(meters);
        this.gets = Counter.builder("querier_cache_gets").tag("cache", name).description("The total number of Get calls").register(meters);
        this.misses = Counter.builder("querier_cache_misses").tag("cache", name).description("The total number of Get calls that had no valid entry").register(meters);
        this.staleGets = Counter.builder("querier_cache_stale_gets").tag("cache", name).description("The total number of Get calls that had an entry which expired").register(meters);
        Gauge.builder("querier_cache_entries", this, c -> c.size()).tag("cache", name).description("The total number of entries").register(meters);
        Gauge.builder("querier_cache_memory_bytes", this, c -> c.bytes()).tag("cache", name).description("The current cache size in bytes").register(meters);
    }

    @Override
    public synchronized Map<String, byte[]> fetch(List<String> keys) {
        Map<String, byte[]> found = new HashMap<>();
        long now = clock.millis();
        for (String key : keys) {
            gets.increment();
            Entry entry = entries.get(key);
            if (entry == null) {
                misses.increment();
            } else if (!validity.isZero() && now - entry.storedAt > validity.toMillis()) {
                staleGets.increment();
                misses.increment();
                remove(key);
            } else {
                found.put(key, entry.value);
            }
        }
        return found;
    }

    @Override
    public synchronized void store(String key, byte[] value) {
        long size = size(key, value);
        if (maxBytes > 0 && size > maxBytes) {
            return;
        }
        remove(key);
        entries.put(key, new Entry(value, clock.millis()));
        bytes += size;
        added.increment();
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (oldest.hasNext() && (maxBytes > 0 && bytes > maxBytes || maxItems > 0 && entries.size() > maxItems)) {
            Map.Entry<String, Entry> victim = oldest.next();
            bytes -= size(victim.getKey(), victim.getValue().value);
            oldest.remove();
            evicted.increment();
        }
    }

    private void remove(String key) {
        Entry previous = entries.remove(key);
        if (previous != null) {
            bytes -= size(key, previous.value);
        }
    }

    private static long size(String key, byte[] value) {
        return (long) key.length() * 2 + value.length + ENTRY_OVERHEAD;
    }

    @Override
    public long maxItemSize() {
        return maxBytes > 0 ? maxBytes : Long.MAX_VALUE;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return entries.size();
    }

    @Override
    public void close() {
    }
}
