package io.gauntlet.bucketstore;

import io.gauntlet.store.StoreLimits;
import io.gauntlet.tsdb.LabelMatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link BucketStore}, named after Thanos' store flags.
 *
 * @param cacheDir where meta.json copies and index headers live ({@code --data-dir})
 * @param indexCacheBytes bound of the postings and series cache ({@code --index-cache-size})
 * @param ignoreDeletionMarksDelay blocks marked for deletion longer ago than this are no longer served
 * @param minTime time sharding: only blocks overlapping [minTime, maxTime] are served
 * @param selector matchers on external labels: only blocks whose labels all of them accept are served
 * @param limits per-request series and samples limits (samples estimated as chunks × 120 before fetching)
 * @param loadConcurrency blocks loaded in parallel during a sync
 * @param queryConcurrency blocks whose series are selected in parallel for one request
 */
public record BucketStoreConfig(Path cacheDir, long indexCacheBytes, Duration ignoreDeletionMarksDelay, TimeOrDuration minTime,
        TimeOrDuration maxTime, List<LabelMatcher> selector, StoreLimits limits, int loadConcurrency, int queryConcurrency) {
    public BucketStoreConfig {
        selector = List.copyOf(selector);
        if (loadConcurrency < 1 || queryConcurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
    }

    public static BucketStoreConfig defaults(Path cacheDir) {
        return new BucketStoreConfig(cacheDir, 250L * 1024 * 1024, Duration.ofHours(24), TimeOrDuration.MIN, TimeOrDuration.MAX, List.of(),
                StoreLimits.NONE, 8, 8);
    }

    public BucketStoreConfig withLimits(StoreLimits newLimits) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, newLimits,
                loadConcurrency, queryConcurrency);
    }

    public BucketStoreConfig withTimeRange(TimeOrDuration newMin, TimeOrDuration newMax) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, newMin, newMax, selector, limits,
                loadConcurrency, queryConcurrency);
    }

    public BucketStoreConfig withSelector(List<LabelMatcher> newSelector) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, newSelector, limits,
                loadConcurrency, queryConcurrency);
    }

    public BucketStoreConfig withIndexCacheBytes(long bytes) {
        return new BucketStoreConfig(cacheDir, bytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, limits,
                loadConcurrency, queryConcurrency);
    }
}
