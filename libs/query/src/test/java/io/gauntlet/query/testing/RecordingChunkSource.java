package io.gauntlet.query.testing;

import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A source that answers from another and keeps the last Series query it was asked, to check what reached a store. */
public final class RecordingChunkSource implements ChunkSource {
    private final ChunkSource data;
    private final AtomicReference<StoreQuery> asked = new AtomicReference<>();

    public RecordingChunkSource(ChunkSource data) {
        this.data = data;
    }

    /** The last Series query, null before the first. */
    public StoreQuery asked() {
        return asked.get();
    }

    @Override
    public SourceInfo info() {
        return data.info();
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        asked.set(query);
        return data.series(query);
    }

    @Override
    public List<String> labelNames(LabelQuery query) throws StorageException {
        return data.labelNames(query);
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        return data.labelValues(name, query);
    }
}
