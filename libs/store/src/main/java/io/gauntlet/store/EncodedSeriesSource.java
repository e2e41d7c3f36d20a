package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;

/**
 * Optional for a {@link ChunkSource}: a source that reads series as bytes (a sidecar's remote read frames, later a
 * store gateway's cached series) hands their labels and chunks to a {@link SeriesEncoder}, which writes the
 * {@code storepb.Series} answer straight from those bytes, instead of building {@code Labels} and chunk arrays for
 * {@link ChunkSource#series}. {@link StoreServer} prefers it for chunk answers whose rewrite keeps source order up to
 * prefixes (no {@code skip_chunks}; every {@code without_replica_labels} name an external label name).
 */
public interface EncodedSeriesSource {
    /**
     * Opens the answer to {@code query}; its series go to {@code encoder} as the returned stream advances (sorted as
     * {@link ChunkSource#series} sorts them, a series split over consecutive parts given as consecutive equal labels).
     * Null when this source cannot answer this query so: the adapter then asks {@link ChunkSource#series}.
     */
    EncodedSeriesStream encodedSeries(StoreQuery query, SeriesEncoder encoder) throws StorageException;
}
