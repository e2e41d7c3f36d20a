package io.gauntlet.query;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.store.MetadataClient;
import io.gauntlet.store.MetadataSource;
import io.gauntlet.store.MetricMeta;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code /api/v1/metadata} over every healthy endpoint (Thanos' metadata proxy): each endpoint's {@code thanos.Metadata}
 * is asked concurrently; endpoints without the API (UNIMPLEMENTED, e.g. a store gateway) simply have none, other
 * failures become warnings with partial response or fail the request without. Answers merge per metric name with
 * identical entries kept once, at most {@code limit} names, as Thanos' querier merges them.
 *
 * <p>Each endpoint is asked over the connection its {@link io.gauntlet.store.StoreClient} already holds, named by its
 * {@code host:port} address (as {@link EndpointSet} names them). As a {@link MetadataSource} it is the querier's own
 * {@code thanos.Metadata} service, for a querier one level up.
 */
public final class MetadataFanOut implements MetadataSource, AutoCloseable {
    /** Merged metadata (metric name → distinct entries, in merge order) and the warnings of failed endpoints. */
    public record Result(Map<String, List<MetricMeta>> metadata, List<String> warnings) {
        public Result {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            warnings = List.copyOf(warnings);
        }

        /** Prometheus' {@code data}: {@code {"<metric>":[{"type":…,"help":…,"unit":…}],…}}, names sorted as Go writes map keys. */
        public String dataJson() {
            StringBuilder out = new StringBuilder("{");
            for (var metric : new TreeMap<>(metadata).entrySet()) {
                out.append(out.length() == 1 ? "" : ",");
                PrometheusJson.writeString(out, metric.getKey());
                out.append(":[");
                boolean first = true;
                for (MetricMeta meta : metric.getValue()) {
                    out.append(first ? "{\"type\":" : ",{\"type\":");
                    first = false;
                    PrometheusJson.writeString(out, meta.type());
                    out.append(",\"help\":");
                    PrometheusJson.writeString(out, meta.help());
                    out.append(",\"unit\":");
                    PrometheusJson.writeString(out, meta.unit());
                    out.append('}');
                }
                out.append(']');
            }
            return out.append('}').toString();
        }
    }

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param endpoints the endpoints to ask, e.g. {@link EndpointSet#healthy()}
     * @param timeout   deadline of each endpoint's call
     */
    public MetadataFanOut(Supplier<List<StoreFanOut.Endpoint>> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    /**
     * The HTTP handler's work: Prometheus' {@code metric} and {@code limit} parameters in, the success envelope out.
     *
     * @throws ApiException bad_data for a limit that is not a number (Prometheus' message), internal when an endpoint
     *                      failed and partial response is off (as Thanos' querier answers)
     */
    public String apiAnswer(String metric, String limit, boolean partialResponse) {
        int parsedLimit = -1; // Prometheus' default: every metric
        if (!limit.isEmpty()) {
            try {
                long value = Long.parseLong(limit); // Go's strconv.Atoi: 64-bit, optional sign
                parsedLimit = value < 0 ? -1 : (int) Math.min(value, Integer.MAX_VALUE);
            } catch (NumberFormatException e) {
                throw ApiException.badData("limit must be a number");
            }
        }
        try {
            Result result = metricMetadata(metric, parsedLimit, partialResponse ? PartialResponse.WARN : PartialResponse.ABORT);
            return PrometheusJson.success(result.dataJson(), result.warnings());
        } catch (StoreException e) {
            throw new ApiException(ErrorType.INTERNAL, "retrieving metadata: " + e.getMessage(), e);
        }
    }

    /**
     * Asks every endpoint concurrently and merges the answers in endpoint order.
     *
     * @param metric one metric name, or empty for all
     * @param limit  at most this many metric names; negative: no limit; 0: none
     * @throws StoreException the first failure (in endpoint order) with {@link PartialResponse#ABORT}
     */
    public Result metricMetadata(String metric, int limit, PartialResponse strategy) throws StoreException {
        List<MetadataClient> clients = clients(endpoints.get());
        List<Future<MetadataClient.Answer>> answers = new ArrayList<>(clients.size());
        for (MetadataClient client : clients) {
            // in the caller's gRPC context, if any: its cancellation, and the querier path the loop guard checks
            answers.add(calls.submit(io.grpc.Context.current().wrap(() -> client.metricMetadata(metric, limit, strategy))));
        }
        Map<String, List<MetricMeta>> merged = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        StoreException failure = null;
        for (int i = 0; i < answers.size(); i++) {
            MetadataClient.Answer answer;
            try {
                answer = answers.get(i).get(); // each call ends by its own deadline
            } catch (ExecutionException e) {
                StoreException error = e.getCause() instanceof StoreException store ? store
                        : new StoreException(clients.get(i).name(), "INTERNAL", String.valueOf(e.getCause()), e.getCause());
                if (error.code().equals(MetadataClient.UNIMPLEMENTED)) {
                    continue; // no Metadata API there: nothing to say
                }
                if (strategy == PartialResponse.ABORT) {
                    failure = failure == null ? error : failure;
                } else {
                    warnings.add(error.getMessage());
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answers.forEach(pending -> pending.cancel(true));
                throw new StoreException(clients.get(i).name(), "CANCELLED", "interrupted while waiting for metadata", e);
            }
            warnings.addAll(answer.warnings());
            for (Map<String, List<MetricMeta>> frame : answer.frames()) {
                merge(merged, frame, limit);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new Result(merged, warnings);
    }

    @Override
    public Map<String, List<MetricMeta>> metricMetadata(String metric, int limit) throws StoreException {
        return metricMetadata(metric, limit, PartialResponse.WARN).metadata();
    }

    @Override
    public MetadataSource.Answer metricMetadataAnswer(String metric, int limit, PartialResponse strategy) throws StoreException {
        Result result = metricMetadata(metric, limit, strategy);
        return new MetadataSource.Answer(result.metadata(), result.warnings());
    }

    /** Thanos' merge: a new metric only while under the limit; a known one gains the entries it lacks. */
    private static void merge(Map<String, List<MetricMeta>> merged, Map<String, List<MetricMeta>> frame, int limit) {
        if (limit == 0) {
            return;
        }
        for (var metric : frame.entrySet()) {
            List<MetricMeta> known = merged.get(metric.getKey());
            if (known == null) {
                if (limit < 0 || merged.size() < limit) {
                    merged.put(metric.getKey(), new ArrayList<>(metric.getValue()));
                }
                continue;
            }
            Set<MetricMeta> seen = new HashSet<>(known);
            for (MetricMeta meta : metric.getValue()) {
                if (seen.add(meta)) {
                    known.add(meta);
                }
            }
        }
    }

    /** A Metadata client per endpoint, over the connection its store client already holds. */
    private List<MetadataClient> clients(List<StoreFanOut.Endpoint> current) {
        List<MetadataClient> out = new ArrayList<>(current.size());
        for (StoreFanOut.Endpoint endpoint : current) {
            out.add(new MetadataClient(endpoint.client().name(), endpoint.client().channel(), timeout));
        }
        return out;
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
