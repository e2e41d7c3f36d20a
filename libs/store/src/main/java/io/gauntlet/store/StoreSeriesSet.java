package io.gauntlet.store;

import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
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

    /**
     * A plain chunk series set as a StoreSeriesSet (no warnings), e.g. to merge the blocks of a store gateway with
     * {@link ProxySeriesSet}; closing closes the set when it is {@link AutoCloseable}.
     */
    static StoreSeriesSet of(ChunkSeriesSet set, String source) {
        return new StoreSeriesSet() {
            @Override
            public boolean next() throws io.gauntlet.tsdb.storage.StorageException {
                return set.next();
            }

            @Override
            public io.gauntlet.tsdb.Labels labels() {
                return set.labels();
            }

            @Override
            public List<EncodedChunk> chunks() {
                return set.chunks();
            }

            @Override
            public java.util.Set<List<String>> labelNameLists() throws io.gauntlet.tsdb.storage.StorageException {
                return set.labelNameLists();
            }

            @Override
            public List<String> warnings() {
                return List.of();
            }

            @Override
            public String source() {
                return source;
            }

            @Override
            public void close() {
                if (set instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        // closing is best effort: the data was read or abandoned already
                    }
                }
            }
        };
    }
}
