package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;
import java.util.Map;

/**
 * Anything that knows its metrics' metadata (a sidecar asks its Prometheus); {@link MetadataServer} serves it as
 * Thanos' {@code thanos.Metadata} gRPC service.
 *
 * <p>Errors as for {@link ChunkSource}: {@link StoreUnavailableException} when the backend cannot be reached (gRPC
 * UNAVAILABLE), {@link IllegalArgumentException} for a question it cannot answer (INVALID_ARGUMENT), any other
 * {@link StorageException} for everything else (INTERNAL).
 */
public interface MetadataSource {
    /**
     * Metric name → its distinct metadata entries.
     *
     * @param metric one metric name, or empty for every metric
     * @param limit  at most this many metric names; negative: no limit; 0: none
     */
    Map<String, List<MetricMeta>> metricMetadata(String metric, int limit) throws StorageException;
}
