package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * A {@link ChunkSource} that answers by asking other stores (a querier serving the StoreAPI over its endpoints). It
 * passes the client's partial response strategy and {@code without_replica_labels} on, so {@link #series} already
 * comes without those labels, sorted and merged (the adapter does not drop them again), and its label answers carry
 * the warnings of stores that failed under {@link PartialResponse#WARN}.
 */
public interface FanOutSource extends ChunkSource {
    /** Sorted, unique label names, without the query's replica labels. */
    @Override
    LabelAnswer labelNamesAnswer(LabelQuery query) throws StorageException;

    /** Sorted, unique values of one label (never asked for a replica label of the query). */
    @Override
    LabelAnswer labelValuesAnswer(String name, LabelQuery query) throws StorageException;

    @Override
    default List<String> labelNames(LabelQuery query) throws StorageException {
        return labelNamesAnswer(query).values();
    }

    @Override
    default List<String> labelValues(String name, LabelQuery query) throws StorageException {
        return labelValuesAnswer(name, query).values();
    }
}
