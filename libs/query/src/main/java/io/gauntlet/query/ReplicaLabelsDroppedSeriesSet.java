package io.gauntlet.query;

import io.gauntlet.store.ChunkMerge;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A store that cannot drop replica labels itself (no {@code supports_without_replica_labels} in its Info, e.g. an
 * older Thanos sidecar): its whole answer is read, the replica labels removed, and the series re-sorted with the chunks
 * of series that became equal joined, so the merge and the deduplication downstream see what a newer store sends.
 */
final class ReplicaLabelsDroppedSeriesSet implements StoreSeriesSet {
    private final StoreSeriesSet set;
    private final Collection<String> replicaLabels;
    private List<Map.Entry<Labels, List<EncodedChunk>>> series;
    private int index = -1;

    ReplicaLabelsDroppedSeriesSet(StoreSeriesSet set, Collection<String> replicaLabels) {
        this.set = set;
        this.replicaLabels = List.copyOf(replicaLabels);
    }

    @Override
    public boolean next() throws StorageException {
        if (series == null) {
            TreeMap<Labels, List<EncodedChunk>> sorted = new TreeMap<>();
            while (set.next()) {
                sorted.computeIfAbsent(set.labels().without(replicaLabels), k -> new ArrayList<>()).addAll(set.chunks());
            }
            for (List<EncodedChunk> chunks : sorted.values()) {
                chunks.sort(ChunkMerge.BY_TIME);
            }
            series = new ArrayList<>(sorted.entrySet());
        }
        return ++index < series.size();
    }

    @Override
    public Labels labels() {
        return series.get(index).getKey();
    }

    @Override
    public List<EncodedChunk> chunks() {
        return series.get(index).getValue();
    }

    @Override
    public List<String> warnings() {
        return set.warnings();
    }

    @Override
    public String source() {
        return set.source();
    }

    @Override
    public void close() {
        set.close();
    }
}
