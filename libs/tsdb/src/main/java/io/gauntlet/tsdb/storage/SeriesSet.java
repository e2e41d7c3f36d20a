package io.gauntlet.tsdb.storage;

import java.util.List;

/** A forward-only cursor over series (Prometheus' {@code storage.SeriesSet}). */
public interface SeriesSet {
    /** Advances to the next series; false at the end. */
    boolean next() throws StorageException;

    /** The current series; valid until the next call to {@link #next()}. */
    Series at();

    /** Non-fatal problems met while reading (partial responses), in the order they occurred. */
    default List<String> warnings() {
        return List.of();
    }

    static SeriesSet empty() {
        return new SeriesSet() {
            @Override
            public boolean next() {
                return false;
            }

            @Override
            public Series at() {
                throw new IllegalStateException("empty series set");
            }
        };
    }
}
