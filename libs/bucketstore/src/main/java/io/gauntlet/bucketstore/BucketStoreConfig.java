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
 * @param loadConcurrency blocks loaded in parallel during a sync (mostly waiting on range reads: Thanos' default is 20)
 * @param queryConcurrency blocks whose series are selected in parallel for one request
 * @param metaFetchConcurrency meta.json and deletion-mark reads in flight during a sync ({@code --block-meta-fetch-concurrency})
 */
public record BucketStoreConfig(Path cacheDir, long indexCacheBytes, Duration ignoreDeletionMarksDelay, TimeOrDuration minTime,
        TimeOrDuration maxTime, List<LabelMatcher> selector, StoreLimits limits, int loadConcurrency, int queryConcurrency,
        int metaFetchConcurrency) {
    /** Thanos' default {@code --block-meta-fetch-concurrency}. */
    public static final int DEFAULT_META_FETCH_CONCURRENCY = 32;

    public BucketStoreConfig {
        selector = List.copyOf(selector);
        if (loadConcurrency < 1 || queryConcurrency < 1 || metaFetchConcurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
    }

    /** With the default meta-fetch concurrency. */
    public BucketStoreConfig(Path cacheDir, long indexCacheBytes, Duration ignoreDeletionMarksDelay, TimeOrDuration minTime,
            TimeOrDuration maxTime, List<LabelMatcher> selector, StoreLimits limits, int loadConcurrency, int queryConcurrency) {
        this(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, limits, loadConcurrency, queryConcurrency,
                DEFAULT_META_FETCH_CONCURRENCY);
    }

    public static BucketStoreConfig defaults(Path cacheDir) {
        return new BucketStoreConfig(cacheDir, 250L * 1024 * 1024, Duration.ofHours(24), TimeOrDuration.MIN, TimeOrDuration.MAX, List.of(),
                StoreLimits.NONE, 20, 8);
    }

    public BucketStoreConfig withLimits(StoreLimits newLimits) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, newLimits,
                loadConcurrency, queryConcurrency, metaFetchConcurrency);
    }

    public BucketStoreConfig withTimeRange(TimeOrDuration newMin, TimeOrDuration newMax) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, newMin, newMax, selector, limits,
                loadConcurrency, queryConcurrency, metaFetchConcurrency);
    }

    public BucketStoreConfig withSelector(List<LabelMatcher> newSelector) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, newSelector, limits,
                loadConcurrency, queryConcurrency, metaFetchConcurrency);
    }

    public BucketStoreConfig withConcurrency(int newLoadConcurrency, int newMetaFetchConcurrency) {
        return new BucketStoreConfig(cacheDir, indexCacheBytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, limits,
                newLoadConcurrency, queryConcurrency, newMetaFetchConcurrency);
    }

    public BucketStoreConfig withIndexCacheBytes(long bytes) {
        return new BucketStoreConfig(cacheDir, bytes, ignoreDeletionMarksDelay, minTime, maxTime, selector, limits,
                loadConcurrency, queryConcurrency, metaFetchConcurrency);
    }
}
