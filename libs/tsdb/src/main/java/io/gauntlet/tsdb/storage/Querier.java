package io.gauntlet.tsdb.storage;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;

/**
 * Reads series from one source over the time range it was opened for. The Java shape of Prometheus'
 * {@code storage.Querier}: the PromQL engine sees only this, whatever stands behind it.
 */
public interface Querier extends AutoCloseable {
    /**
     * Series matching all matchers. When {@code sorted} is true the set comes in {@link io.gauntlet.tsdb.Labels}
     * order. Hints may be null; they only allow a store to prune or pick a resolution.
     */
    SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) throws StorageException;

    /** Sorted, unique values of one label among series matching the matchers (all series when none). */
    List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException;

    /** Sorted, unique label names among series matching the matchers (all series when none). */
    List<String> labelNames(List<LabelMatcher> matchers) throws StorageException;

    @Override
    void close() throws StorageException;
}
