package io.gauntlet.bucketstore;

import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One block's series in a Series call, its damage kept to itself: when reading the block finds confirmed corruption,
 * the block's part of the answer ends there and the corruption goes to {@code onCorruption} (which quarantines the
 * block and warns the client); the other blocks of the call go on. Every other failure fails the call as before.
 */
final class IsolatedBlockSeriesSet implements StoreSeriesSet {
    private final BlockSeriesSet set;
    private final String block;
    private final Consumer<CorruptedDataException> onCorruption;
    private boolean failed;

    IsolatedBlockSeriesSet(BlockSeriesSet set, String block, Consumer<CorruptedDataException> onCorruption) {
        this.set = set;
        this.block = block;
        this.onCorruption = onCorruption;
    }

    @Override
    public boolean next() throws io.gauntlet.tsdb.storage.StorageException {
        if (failed) {
            return false;
        }
        try {
            return set.next();
        } catch (CorruptedDataException e) {
            failed = true;
            set.close();
            onCorruption.accept(e);
            return false;
        }
    }

    /** Unknown (null) when the block turns out damaged: its failure is reported by {@link #next()}. */
    @Override
    public Set<List<String>> labelNameLists() throws io.gauntlet.tsdb.storage.StorageException {
        if (failed) {
            return null;
        }
        try {
            return set.labelNameLists();
        } catch (CorruptedDataException e) {
            return null;
        }
    }

    @Override
    public Labels labels() {
        return set.labels();
    }

    @Override
    public List<ChunkSeriesSet.EncodedChunk> chunks() {
        return set.chunks();
    }

    /** Empty: the call's warnings are collected by the store, outside the merge (where a warning would abort it). */
    @Override
    public List<String> warnings() {
        return List.of();
    }

    @Override
    public String source() {
        return "block " + block;
    }

    @Override
    public void close() {
        set.close();
    }
}
