package io.gauntlet.queryfrontend;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The query frontend's settings; names follow Thanos' query-frontend flags ({@code --query-range.split-interval}, …). */
@ConfigMapping(prefix = "gauntlet.query-frontend")
public interface QueryFrontendConfig {
    /** The querier ({@code --query-frontend.downstream-url}). */
    @WithDefault("http://localhost:9090")
    String downstreamUrl();

    /**
     * How to reach the querier over HTTPS with credentials: Thanos' http client config YAML ({@code tls_config},
     * {@code basic_auth} with {@code password_file}, {@code bearer_token_file}). With credentials, the frontend sends its
     * own to the querier instead of forwarding the caller's.
     */
    Optional<Path> downstreamHttpClientFile();

    /** Longest wait for one downstream answer (Thanos' downstream tripper {@code response_header_timeout}). */
    @WithDefault("2m")
    Duration downstreamTimeout();

    /** {@code --query-range.split-interval}; 0s: no splitting (and no results cache). */
    @WithDefault("24h")
    Duration splitInterval();

    /** {@code --query-range.align-range-with-step}. */
    @WithDefault("true")
    boolean alignRangeWithStep();

    /** {@code --query-range.max-retries-per-request}. */
    @WithDefault("5")
    int maxRetriesPerRequest();

    /** {@code --query-range.max-query-length}; 0s: no limit. */
    @WithDefault("0s")
    Duration maxQueryLength();

    /** {@code --query-range.max-query-parallelism}: parts of one query in flight at once. */
    @WithDefault("14")
    int maxQueryParallelism();

    /** Requests handled at once; more are refused with 429 (Cortex' outstanding requests queue). */
    @WithDefault("100")
    int maxOutstandingRequests();

    /** {@code --query-range.response-cache-config-file}: Thanos' cache YAML (IN-MEMORY or MEMCACHED); none: no cache. */
    Optional<Path> responseCacheConfigFile();

    /** {@code --query-range.response-cache-config}: the same YAML inline. */
    Optional<String> responseCacheConfig();

    /** {@code --query-range.response-cache-max-freshness}: the newest part of a range is never cached. */
    @WithDefault("1m")
    Duration responseCacheMaxFreshness();

    /** How long a cached extent is used while block events do not flow (Kafka down, not configured, lagging). */
    @WithDefault("10m")
    Duration cacheTtlWithoutEvents();

    /** After a block event, answers computed within this time are not trusted (the stores load the block meanwhile). */
    @WithDefault("1m")
    Duration invalidationGrace();

    /** The querier's lookback delta ({@code --query.lookback-delta}): how far back instant selectors read. */
    @WithDefault("5m")
    Duration lookbackDelta();

    /** The querier's replica labels: a matcher on them never rules a block out. */
    Optional<List<String>> replicaLabels();

    /** {@code --query-frontend.log-queries-longer-than}; 0s: off. */
    @WithDefault("0s")
    Duration logQueriesLongerThan();

    Kafka kafka();

    interface Kafka {
        /** Kafka of the block events; absent: no events, cached extents live for cache-ttl-without-events. */
        @WithName("bootstrap-servers")
        Optional<String> bootstrapServers();

        @WithDefault("gauntlet.blocks")
        String topic();
    }
}
