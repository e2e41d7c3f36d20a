package io.gauntlet.queryfrontend;

import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.frontend.BlockEventWatcher;
import io.gauntlet.frontend.Downstream;
import io.gauntlet.frontend.FrontendOptions;
import io.gauntlet.frontend.InvalidationLog;
import io.gauntlet.frontend.QueryFrontend;
import io.gauntlet.frontend.cache.ResultsCache;
import io.gauntlet.frontend.cache.ResultsCacheConfig;
import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.prometheus.JdkHttpClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Wires the query frontend: the querier, the results cache, block events, and the engine that uses them. */
@ApplicationScoped
@Startup
public class QueryFrontendServices {
    private static final Logger LOG = Logger.getLogger(QueryFrontendServices.class);

    private final QueryFrontend frontend;
    private final BlockEventWatcher watcher;

    @Inject
    public QueryFrontendServices(QueryFrontendConfig config, MeterRegistry meters, Config properties) {
        Clock clock = Clock.systemUTC();
        ResultsCacheConfig cacheConfig = config.responseCacheConfigFile().map(ResultsCacheConfig::load)
                .or(() -> config.responseCacheConfig().filter(yaml -> !yaml.isBlank()).map(ResultsCacheConfig::parse)).orElse(null);
        Duration retention = cacheConfig == null ? Duration.ZERO : cacheConfig.validity();
        InvalidationLog invalidations = new InvalidationLog(clock, config.invalidationGrace(), config.cacheTtlWithoutEvents(), retention, 100_000);
        ResultsCache cache = cacheConfig == null ? null : ResultsCacheConfig.create(cacheConfig, clock, meters);
        FrontendOptions options = new FrontendOptions(config.splitInterval(), config.alignRangeWithStep(), config.maxRetriesPerRequest(),
                config.maxQueryLength(), config.maxQueryParallelism(), config.responseCacheMaxFreshness(), config.lookbackDelta(),
                new HashSet<>(config.replicaLabels().orElse(java.util.List.of())), config.logQueriesLongerThan());
        JdkHttpClients.Configured http = JdkHttpClients.of(config.downstreamHttpClientFile().map(HttpClientConfig::load)
                .orElse(HttpClientConfig.NONE), Duration.ofSeconds(5));
        Downstream downstream = new Downstream(URI.create(config.downstreamUrl()), config.downstreamTimeout(), http.builder(), http.authorization());
        this.frontend = new QueryFrontend(downstream, cache, invalidations, options, clock, meters);
        KafkaClientProperties kafka = KafkaClientProperties.fromConfig(properties.getPropertyNames(),
                name -> properties.getOptionalValue(name, String.class));
        this.watcher = cache == null ? null : kafka.clientConfig(config.kafka().bootstrapServers())
                .map(client -> new BlockEventWatcher(client, groupId(), config.kafka().topic(), invalidations, Duration.ofSeconds(2), meters).start())
                .orElse(null);
        if (cache != null && watcher == null) {
            invalidations.setLive(false, "no Kafka configured (gauntlet.query-frontend.kafka.bootstrap-servers)");
        }
        LOG.infof("query frontend for %s: split %s, results cache %s, %s", downstream.base(), config.splitInterval(),
                cacheConfig == null ? "off" : cacheConfig.getClass().getSimpleName(), watcher == null ? "no block events"
                        : "block events from " + config.kafka().topic());
    }

    private static String groupId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown";
        }
        return "gauntlet-query-frontend-" + host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public QueryFrontend frontend() {
        return frontend;
    }

    void stop(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.close();
        }
        frontend.close();
    }

}
