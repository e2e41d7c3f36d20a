package io.gauntlet.store;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;
import java.util.Set;

/**
 * A label names / values question to a {@link ChunkSource}: among series with data in {@code [start, end]}
 * (milliseconds) matching all matchers. {@code limit} 0 means no limit; a source may ignore it (the adapter truncates).
 * {@code partialResponse} and {@code withoutReplicaLabels} are the client's, for a {@link FanOutSource} to pass on.
 */
public record LabelQuery(long start, long end, List<LabelMatcher> matchers, long limit, PartialResponse partialResponse,
        Set<String> withoutReplicaLabels) {
    public LabelQuery {
        matchers = List.copyOf(matchers);
        partialResponse = partialResponse == null ? PartialResponse.WARN : partialResponse;
        withoutReplicaLabels = withoutReplicaLabels == null ? Set.of() : Set.copyOf(withoutReplicaLabels);
    }

    public LabelQuery(long start, long end, List<LabelMatcher> matchers, long limit) {
        this(start, end, matchers, limit, PartialResponse.WARN, Set.of());
    }
}
