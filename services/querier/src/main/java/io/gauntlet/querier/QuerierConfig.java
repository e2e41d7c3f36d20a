package io.gauntlet.querier;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The querier's settings; names follow Thanos' query flags ({@code --endpoint}, {@code --query.replica-label}, ...). */
@ConfigMapping(prefix = "gauntlet.querier")
public interface QuerierConfig {
    /** StoreAPI endpoints: {@code host:port}, {@code dns+host:port}, {@code dnssrv+_grpc._tcp.name}, comma separated. */
    Optional<List<String>> endpoints();

    /**
     * Files with more endpoints in Thanos' {@code --store.sd-files} format (YAML or JSON list of {@code {targets: [...]}}),
     * comma separated; read again when they change and every {@code endpoints-file-interval}.
     */
    Optional<List<String>> endpointsFile();

    /** How often the endpoints files are read even when no change was noticed ({@code --store.sd-interval}). */
    @WithDefault("5m")
    Duration endpointsFileInterval();

    /** Series one Series call to this querier's StoreAPI may return ({@code --store.limits.request-series}; 0: none). */
    @WithDefault("0")
    long requestSeriesLimit();

    /** Samples one Series call to this querier's StoreAPI may return ({@code --store.limits.request-samples}; 0: none). */
    @WithDefault("0")
    long requestSamplesLimit();

    /** Labels that tell HA replicas apart ({@code --query.replica-label}); removed and deduplicated by default. */
    Optional<List<String>> replicaLabels();

    /** Longest a query may run ({@code --query.timeout}). */
    @WithDefault("2m")
    Duration timeout();

    /** Queries running at once; more wait ({@code --query.max-concurrent}). */
    @WithDefault("20")
    int maxConcurrent();

    /** Samples a query may hold in memory ({@code --query.max-samples}... Prometheus' engine limit). */
    @WithDefault("50000000")
    long maxSamples();

    /** Series one store may send in one response; a store past it fails as any store failure (0: no limit). */
    @WithDefault("0")
    long maxSeries();

    /** PromQL lookback delta ({@code --query.lookback-delta}). */
    @WithDefault("5m")
    Duration lookbackDelta();

    /** How often endpoint Info is polled and DNS names resolved again. */
    @WithDefault("5s")
    Duration infoInterval();

    /** Deadline of one Info poll. */
    @WithDefault("5s")
    Duration infoTimeout();

    /** Discovered endpoints unhealthy this long are dropped ({@code --store.unhealthy-timeout}). */
    @WithDefault("5m")
    Duration unhealthyTimeout();

    /** Prometheus' feature flags the querier knows ({@code --enable-feature}): {@code promql-per-step-stats}. */
    Optional<List<String>> enableFeature();

    /** Whether a failing store turns into a warning by default ({@code --query.partial-response}). */
    @WithDefault("true")
    boolean partialResponse();
}
