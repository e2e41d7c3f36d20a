package io.gauntlet.store;

import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.util.List;

/**
 * Series from one or more stores, pulled as they are read. Warnings (partial responses, store warnings) are
 * complete once {@link #next()} returned false. Closing before the end cancels the remote calls.
 */
public interface StoreSeriesSet extends ChunkSeriesSet, AutoCloseable {
    List<String> warnings();

    /** Where the series come from, for error messages (a store's name or address). */
    default String source() {
        return "";
    }

    @Override
    void close();
}
