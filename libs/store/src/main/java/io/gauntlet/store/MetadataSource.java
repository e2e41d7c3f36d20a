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

    /** Metadata with the warnings of a partial answer. */
    record Answer(Map<String, List<MetricMeta>> metadata, List<String> warnings) {
        public Answer {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * {@link #metricMetadata(String, int)} under the client's partial response strategy: a source that asks other
     * endpoints (a querier) turns their failures into warnings or fails; a source over one backend has no warnings.
     */
    default Answer metricMetadataAnswer(String metric, int limit, PartialResponse strategy) throws StorageException {
        return new Answer(metricMetadata(metric, limit), List.of());
    }
}
