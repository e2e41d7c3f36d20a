package io.gauntlet.frontend;

import java.time.Duration;
import java.util.Set;

/**
 * The query frontend's settings, named after Thanos' flags.
 *
 * @param splitInterval        {@code --query-range.split-interval} (24h); zero: no splitting (and no caching)
 * @param alignRangeWithStep   {@code --query-range.align-range-with-step}: start and end rounded down to the step
 * @param maxRetries           {@code --query-range.max-retries-per-request}: retries of a part after a 5xx or no answer
 * @param maxQueryLength       {@code --query-range.max-query-length}; zero: no limit
 * @param maxQueryParallelism  {@code --query-range.max-query-parallelism}: parts of one query in flight at once
 * @param maxCacheFreshness    {@code --query-range.response-cache-max-freshness}: the newest part of a range is never cached
 * @param lookbackDelta        the querier's lookback delta: how far back an instant selector reads (for invalidation)
 * @param replicaLabels        labels whose matchers never exclude a block from invalidation (the querier's replica labels)
 * @param logQueriesLongerThan {@code --query-frontend.log-queries-longer-than}; zero: off
 */
public record FrontendOptions(Duration splitInterval, boolean alignRangeWithStep, int maxRetries, Duration maxQueryLength,
                              int maxQueryParallelism, Duration maxCacheFreshness, Duration lookbackDelta, Set<String> replicaLabels,
                              Duration logQueriesLongerThan) {
    public FrontendOptions {
        if (splitInterval.isNegative() || maxRetries < 0 || maxQueryParallelism < 1) {
            throw new IllegalArgumentException("split interval must not be negative, retries not negative, parallelism at least 1");
        }
        replicaLabels = Set.copyOf(replicaLabels);
    }

    /** Thanos' defaults. */
    public static FrontendOptions defaults() {
        return new FrontendOptions(Duration.ofHours(24), true, 5, Duration.ZERO, 14, Duration.ofMinutes(1), Duration.ofMinutes(5), Set.of(),
                Duration.ZERO);
    }

    public FrontendOptions withSplitInterval(Duration interval) {
        return new FrontendOptions(interval, alignRangeWithStep, maxRetries, maxQueryLength, maxQueryParallelism, maxCacheFreshness,
                lookbackDelta, replicaLabels, logQueriesLongerThan);
    }

    public FrontendOptions withAlignRangeWithStep(boolean align) {
        return new FrontendOptions(splitInterval, align, maxRetries, maxQueryLength, maxQueryParallelism, maxCacheFreshness,
                lookbackDelta, replicaLabels, logQueriesLongerThan);
    }

    public FrontendOptions withMaxRetries(int retries) {
        return new FrontendOptions(splitInterval, alignRangeWithStep, retries, maxQueryLength, maxQueryParallelism, maxCacheFreshness,
                lookbackDelta, replicaLabels, logQueriesLongerThan);
    }

    public FrontendOptions withMaxQueryLength(Duration length) {
        return new FrontendOptions(splitInterval, alignRangeWithStep, maxRetries, length, maxQueryParallelism, maxCacheFreshness,
                lookbackDelta, replicaLabels, logQueriesLongerThan);
    }
}
