package io.gauntlet.store;

/**
 * Per-request limits of a store (Thanos {@code --store.limits.request-series} and
 * {@code --store.limits.request-samples}); 0 means unlimited. Samples are counted from chunk headers, so chunks
 * are never decoded for it.
 */
public record StoreLimits(long maxSeries, long maxSamples) {
    public static final StoreLimits NONE = new StoreLimits(0, 0);

    public StoreLimits {
        if (maxSeries < 0 || maxSamples < 0) {
            throw new IllegalArgumentException("store limits must be >= 0 (0 = unlimited), got series=" + maxSeries + " samples=" + maxSamples);
        }
    }
}
