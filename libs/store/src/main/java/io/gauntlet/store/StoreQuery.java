package io.gauntlet.store;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.storage.SelectHints;
import java.util.List;
import java.util.Set;

/**
 * What a {@link ChunkSource} is asked for: series matching all matchers with chunks overlapping
 * {@code [minTime, maxTime]} (milliseconds, inclusive). Matchers on the adapter's external labels are already
 * resolved and removed. {@code maxResolutionWindow} and {@code aggregates} choose downsampled data (0 / RAW for raw);
 * {@code hints} may be null.
 *
 * <p>The rest is the request as the client sent it, for a {@link FanOutSource} to pass on to its own stores: the
 * partial response strategy, the {@code without_replica_labels} (the adapter drops them for every other source) and
 * the series {@code limit} (0: none; the adapter enforces it either way).
 */
public record StoreQuery(long minTime, long maxTime, List<LabelMatcher> matchers, boolean skipChunks,
        long maxResolutionWindow, List<Aggregate> aggregates, SelectHints hints, PartialResponse partialResponse,
        Set<String> withoutReplicaLabels, long limit) {
    public StoreQuery {
        matchers = List.copyOf(matchers);
        aggregates = aggregates == null ? List.of() : List.copyOf(aggregates);
        partialResponse = partialResponse == null ? PartialResponse.WARN : partialResponse;
        withoutReplicaLabels = withoutReplicaLabels == null ? Set.of() : Set.copyOf(withoutReplicaLabels);
    }

    /** A query as a plain source sees it: partial response WARN (the wire default), no replica labels, no limit. */
    public StoreQuery(long minTime, long maxTime, List<LabelMatcher> matchers, boolean skipChunks, long maxResolutionWindow,
            List<Aggregate> aggregates, SelectHints hints) {
        this(minTime, maxTime, matchers, skipChunks, maxResolutionWindow, aggregates, hints, PartialResponse.WARN, Set.of(), 0);
    }

    public static StoreQuery of(long minTime, long maxTime, List<LabelMatcher> matchers) {
        return new StoreQuery(minTime, maxTime, matchers, false, 0, List.of(), null);
    }
}
