package io.gauntlet.store;

import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * Anything that can answer StoreAPI questions with encoded chunks: a store gateway over bucket blocks, a
 * sidecar over Prometheus remote read, a ruler over its own TSDB. {@link StoreServer} turns it into the Thanos
 * gRPC services and handles external labels, replica labels, limits, batching and flow control.
 *
 * <p>Errors: throw {@link StoreUnavailableException} when a backend cannot be reached (gRPC UNAVAILABLE),
 * {@link IllegalArgumentException} for a question the source cannot answer (INVALID_ARGUMENT), any other
 * {@link StorageException} for everything else (INTERNAL).
 *
 * <p>A source that reads its series as bytes (remote read frames, cached index entries) may also implement
 * {@link EncodedSeriesSource}: the adapter then has them written straight into the Series answer.
 */
public interface ChunkSource {
    SourceInfo info();

    /**
     * Series matching the query, in {@link io.gauntlet.tsdb.Labels} order of their own labels (without the
     * external labels the adapter adds), chunks in ascending min time. The set is pulled only as fast as the
     * client reads; chunk data arrays handed out must not be reused afterwards. When the returned set is
     * {@link AutoCloseable} the adapter closes it when the call ends, also on cancellation. With
     * {@code skipChunks} the source may leave the chunk lists empty but still returns only series with data in the
     * range. Series labels should not carry the external label names (a sidecar strips the ones Prometheus adds):
     * then the adapter streams with a window of a few series instead of one metric name. A set that is a
     * {@link StoreSeriesSet} has its warnings sent to the client as warning frames at the end.
     */
    ChunkSeriesSet series(StoreQuery query) throws StorageException;

    /** Sorted, unique label names (without the external labels). */
    List<String> labelNames(LabelQuery query) throws StorageException;

    /** Sorted, unique values of one label (never asked for an external label name). */
    List<String> labelValues(String name, LabelQuery query) throws StorageException;

    /**
     * {@link #labelNames} with the warnings of a partial answer (sent in the response's {@code warnings}); a source
     * that can leave out part of its data, e.g. a damaged block, says so here.
     */
    default LabelAnswer labelNamesAnswer(LabelQuery query) throws StorageException {
        return new LabelAnswer(labelNames(query), List.of());
    }

    /** Blocks this source leaves out of its answers because of confirmed damage (announced with Info); none by default. */
    default List<CorruptedBlock> corruptedBlocks() {
        return List.of();
    }

    /** {@link #labelValues} with the warnings of a partial answer. */
    default LabelAnswer labelValuesAnswer(String name, LabelQuery query) throws StorageException {
        return new LabelAnswer(labelValues(name, query), List.of());
    }
}
