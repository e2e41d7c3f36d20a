package io.gauntlet.store;

import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Chunk lists of one series from several places: ordered by time, byte-identical duplicates dropped. */
public final class ChunkMerge {
    /** Min time, then max time, then encoding: the order chunks of one series are sent in. */
    public static final Comparator<EncodedChunk> BY_TIME = Comparator.comparingLong(EncodedChunk::minTime)
            .thenComparingLong(EncodedChunk::maxTime).thenComparingInt(EncodedChunk::encoding);

    private ChunkMerge() {
    }

    /** Drops chunks equal to an earlier one (same range, encoding and bytes); the input must be sorted {@link #BY_TIME}. */
    public static List<EncodedChunk> withoutDuplicates(List<EncodedChunk> sorted) {
        List<EncodedChunk> out = new ArrayList<>(sorted.size());
        int groupStart = 0; // first chunk with the current (minTime, maxTime, encoding)
        for (EncodedChunk chunk : sorted) {
            if (!out.isEmpty() && BY_TIME.compare(out.getLast(), chunk) != 0) {
                groupStart = out.size();
            }
            boolean duplicate = false;
            for (int i = groupStart; i < out.size() && !duplicate; i++) {
                duplicate = Arrays.equals(out.get(i).data(), chunk.data());
            }
            if (!duplicate) {
                out.add(chunk);
            }
        }
        return out;
    }

    /**
     * Splits overlapping chunks into lists that do not overlap, as if each came from its own replica (Thanos
     * {@code NewOverlapSplit}): the penalty deduplicator then merges them. Input sorted by min time.
     */
    public static List<List<EncodedChunk>> splitOverlapping(List<EncodedChunk> sorted) {
        List<List<EncodedChunk>> replicas = new ArrayList<>();
        replicas.add(new ArrayList<>());
        next:
        for (EncodedChunk chunk : sorted) {
            for (List<EncodedChunk> replica : replicas) {
                if (replica.isEmpty() || replica.getLast().maxTime() < chunk.minTime()) {
                    replica.add(chunk);
                    continue next;
                }
            }
            List<EncodedChunk> replica = new ArrayList<>();
            replica.add(chunk);
            replicas.add(replica);
        }
        return replicas;
    }
}
