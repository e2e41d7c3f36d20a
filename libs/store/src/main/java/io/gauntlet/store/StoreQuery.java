package io.gauntlet.store;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.storage.SelectHints;
import java.util.List;

/**
 * What a {@link ChunkSource} is asked for: series matching all matchers with chunks overlapping
 * {@code [minTime, maxTime]} (milliseconds, inclusive). Matchers on the adapter's external labels are already
 * resolved and removed. {@code maxResolutionWindow} and {@code aggregates} choose downsampled data (0 / RAW for raw);
 * {@code hints} may be null.
 */
public record StoreQuery(long minTime, long maxTime, List<LabelMatcher> matchers, boolean skipChunks,
        long maxResolutionWindow, List<Aggregate> aggregates, SelectHints hints) {
    public StoreQuery {
        matchers = List.copyOf(matchers);
        aggregates = aggregates == null ? List.of() : List.copyOf(aggregates);
    }

    public static StoreQuery of(long minTime, long maxTime, List<LabelMatcher> matchers) {
        return new StoreQuery(minTime, maxTime, matchers, false, 0, List.of(), null);
    }
}
