package io.gauntlet.frontend.cache;

import java.util.List;
import java.util.Map;

/** Where the results cache keeps its values: in this process or in memcached. A failing backend is a miss, never an error. */
public interface ResultsCache extends AutoCloseable {
    /** The values found for {@code keys} (missing keys absent). */
    Map<String, byte[]> fetch(List<String> keys);

    /** Stores a value (possibly later, possibly not at all: a cache may drop it). */
    void store(String key, byte[] value);

    /** The largest value this cache keeps, in bytes. */
    long maxItemSize();

    @Override
    void close();
}
