package io.gauntlet.bucketstore;

import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The merged blocks of one Series call with the warnings the call gathered (damaged and quarantined blocks). */
final class WarningSeriesSet implements StoreSeriesSet {
    private final StoreSeriesSet merged;
    private final List<String> warnings; // synchronized: block reads may add from another thread

    WarningSeriesSet(StoreSeriesSet merged, List<String> warnings) {
        this.merged = merged;
        this.warnings = warnings;
    }

    @Override
    public boolean next() throws StorageException {
        return merged.next();
    }

    @Override
    public Set<List<String>> labelNameLists() throws StorageException {
        return merged.labelNameLists();
    }

    @Override
    public Labels labels() {
        return merged.labels();
    }

    @Override
    public List<ChunkSeriesSet.EncodedChunk> chunks() {
        return merged.chunks();
    }

    /** Each distinct warning once, in the order they arose. */
    @Override
    public List<String> warnings() {
        synchronized (warnings) {
            return List.copyOf(new LinkedHashSet<>(warnings));
        }
    }

    @Override
    public void close() {
        merged.close();
    }
}
