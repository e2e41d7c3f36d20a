package io.gauntlet.store;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;

/**
 * A label names / values question to a {@link ChunkSource}: among series with data in {@code [start, end]}
 * (milliseconds) matching all matchers. {@code limit} 0 means no limit; a source may ignore it (the adapter truncates).
 */
public record LabelQuery(long start, long end, List<LabelMatcher> matchers, long limit) {
    public LabelQuery {
        matchers = List.copyOf(matchers);
    }
}
