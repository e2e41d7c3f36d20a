package io.gauntlet.ruler;

import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.promql.engine.EngineOptions;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.FanOutObserver;
import io.gauntlet.query.StoreQueryable;
import io.gauntlet.rules.EngineRuleQuerier;
import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.prometheus.JdkHttpClients;
import io.gauntlet.rules.HttpRuleQuerier;
import io.gauntlet.rules.RuleManager;
import io.gauntlet.rules.RuleMetrics;
import io.gauntlet.rules.RuleQuerier;
import io.gauntlet.rules.notifier.AlertmanagerDiscovery;
import io.gauntlet.rules.notifier.AlertmanagerNotifier;
import io.gauntlet.rules.notifier.RelabelConfig;
import io.gauntlet.rules.storage.RuleStorage;
import io.gauntlet.service.GrpcConfig;
import io.gauntlet.service.ReadinessCondition;
import io.gauntlet.service.ReadinessRegistry;
import io.gauntlet.shipper.Shipper;
import io.gauntlet.shipper.ShipperOptions;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tls.GrpcClientTls;
import io.gauntlet.tsdb.Labels;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Wires the ruler: its TSDB, the rule manager over queriers or StoreAPI endpoints, the Alertmanager notifier, the
 * StoreAPI + Info + Rules gRPC services, the shipper, rule file reloads, readiness and metrics.
 */
@ApplicationScoped
@Startup
public class RulerServices {
    private static final Logger LOG = Logger.getLogger(RulerServices.class);

    private final RulerConfig config;
    private final Labels externalLabels;
    private final RuleStorage storage;
    private final RuleManager manager;
    private final AlertmanagerNotifier notifier;
    private final StoreServer storeServer;
    private final EndpointSet endpoints;
    private final Shipper shipper;
    private final ReadinessCondition readiness;
    private final Thread watcher;
    private volatile String ruleFilesDigest = "";
    private volatile boolean stopping;

    @Inject
    public RulerServices(RulerConfig config, ReadinessRegistry registry, MeterRegistry meters, GrpcConfig grpc) throws IOException {
        this.config = config;
        this.externalLabels = parseLabels(config.labels());
        this.readiness = registry.condition("rules", "rule files not loaded yet");
        this.storage = RuleStorage.open(config.dataDir(), externalLabels, config.tsdbBlockDuration().toMillis(), config.tsdbRetention().toMillis());
        this.storeServer = new StoreServer(storage);
        boolean partial = switch (config.partialResponseStrategy().toLowerCase(java.util.Locale.ROOT)) {
            case "warn" -> true;
            case "abort" -> false;
            default -> throw new IllegalArgumentException("gauntlet.ruler.partial-response-strategy must be warn or abort, got "
                    + config.partialResponseStrategy());
        };
        RuleMetrics metrics = new RuleMetrics(meters);
        EndpointSet storeEndpoints = null;
        RuleQuerier querier;
        List<String> queryUrls = clean(config.queryEndpoints().orElse(List.of()));
        List<String> stores = clean(config.storeEndpoints().orElse(List.of()));
        if (!queryUrls.isEmpty()) {
            JdkHttpClients.Configured http = JdkHttpClients.of(config.queryHttpClientFile().map(HttpClientConfig::load)
                    .orElse(HttpClientConfig.NONE), java.time.Duration.ofSeconds(5));
            querier = new HttpRuleQuerier(queryUrls.stream().map(URI::create).toList(), config.queryTimeout(), http.builder(), http.authorization());
        } else if (!stores.isEmpty()) {
            GrpcClientTls transport = grpc.clientTls(); // Thanos' --grpc-client-tls-* for the store endpoints, as the querier's
            storeEndpoints = new EndpointSet(stores, config.queryTimeout(), java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(5))
                    .withTransport(transport.credentials(), transport.authority());
            storeEndpoints.start(java.time.Duration.ofSeconds(5));
            EndpointSet set = storeEndpoints;
            List<String> replicaLabels = config.queryReplicaLabels().orElse(List.of());
            PromqlEngine engine = new PromqlEngine(EngineOptions.defaults().withTimeout(config.queryTimeout()));
            // a store that is down fails an evaluation under "abort" (a warning under "warn") instead of being left out
            // silently: a recorded sum over half the stores, or an absent() alert, would be wrong without a trace
            querier = new EngineRuleQuerier(engine, partialResponse -> new StoreQueryable(set::healthy, set::unreachable,
                    new StoreQueryable.Options(true, replicaLabels, partialResponse, 0, List.of(), 0), FanOutObserver.NONE));
        } else {
            throw new IllegalArgumentException("set gauntlet.ruler.query-endpoints (queriers' HTTP URLs) or gauntlet.ruler.store-endpoints");
        }
        this.endpoints = storeEndpoints;
        RuleQuerier counted = (expr, time, partialResponse) -> {
            RuleQuerier.Answer answer = querier.query(expr, time, partialResponse);
            if (!answer.warnings().isEmpty()) {
                metrics.evaluationWithWarnings(partialResponse ? "warn" : "abort");
            }
            return answer;
        };
        List<RelabelConfig> relabel = new ArrayList<>();
        for (String label : config.alertLabelDrop().orElse(List.of())) {
            relabel.addAll(RelabelConfig.parseList("- action: labeldrop\n  regex: " + quote(label.trim()) + "\n"));
        }
        if (config.alertRelabelConfigFile().isPresent()) {
            relabel.addAll(RelabelConfig.parseList(Files.readString(config.alertRelabelConfigFile().get())));
        }
        String queryUrl = config.alertQueryUrl().orElse("");
        this.notifier = new AlertmanagerNotifier(new AlertmanagerNotifier.Options(externalLabels, relabel, config.alertmanagersQueueCapacity(),
                config.alertmanagersSendTimeout(), queryUrl), new AlertmanagerDiscovery(clean(config.alertmanagersUrl().orElse(List.of())),
                config.alertmanagersSdDnsInterval()), meters);
        RuleManager.Options options = new RuleManager.Options(config.ruleFiles(), config.evalInterval().toMillis(), externalLabels,
                queryUrl.isEmpty() ? null : URI.create(queryUrl), config.resendDelay().toMillis(), config.forOutageTolerance().toMillis(),
                config.forGracePeriod().toMillis(), partial);
        this.manager = new RuleManager(options, counted, storage::appender, storage, notifier, metrics);
        registerMetrics(meters);
        RuleManager.ReloadResult loaded = reload();
        if (!loaded.ok()) {
            throw new IllegalStateException("the rule files are invalid:\n" + String.join("\n", loaded.errors()));
        }
        manager.start();
        readiness.markReady();
        this.shipper = startShipper(meters);
        this.watcher = Thread.ofPlatform().name("rule-files-watch").daemon().start(this::watchRuleFiles);
        LOG.infof("ruler with external labels %s: %d groups, %d rules, queries via %s, alerts to %s", externalLabels, loaded.groups(),
                loaded.rules(), queryUrls.isEmpty() ? stores : queryUrls, config.alertmanagersUrl().orElse(List.of()));
    }

    private static String quote(String regex) {
        return "'" + regex.replace("'", "''") + "'";
    }

    private static List<String> clean(List<String> values) {
        return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static Labels parseLabels(List<String> pairs) {
        Map<String, String> labels = new TreeMap<>();
        for (String pair : clean(pairs)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("gauntlet.ruler.labels: expected name=value, got " + pair);
            }
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            labels.put(pair.substring(0, eq).trim(), value);
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("gauntlet.ruler.labels is empty: set at least one external label (e.g. rule_replica=a), "
                    + "or the recorded series of two rulers could not be told apart");
        }
        return Labels.fromMap(labels);
    }

    private Shipper startShipper(MeterRegistry meters) {
        if (config.objstoreConfigFile().isEmpty() && config.objstoreConfig().isEmpty()) {
            LOG.info("no objstore config: blocks stay in the data directory");
            return null;
        }
        BucketConfig bucket = ShipperOptions.bucketConfig(config.objstoreConfigFile().orElse(null), config.objstoreConfig().orElse(null));
        ShipperOptions options = ShipperOptions.of(config.dataDir(), bucket, externalLabels.toMap()).withProducer("ruler", "gauntlet/ruler");
        Config properties = ConfigProvider.getConfig();
        KafkaClientProperties shared = KafkaClientProperties.fromConfig(properties.getPropertyNames(),
                name -> properties.getOptionalValue(name, String.class));
        Optional<Map<String, Object>> kafka = shared.clientConfig(config.kafkaBootstrapServers());
        if (kafka.isPresent()) {
            options = options.withKafka(kafka.get(), config.kafkaTopic());
            LOG.infof("block events to Kafka topic %s, client properties %s", config.kafkaTopic(), shared);
        }
        return Shipper.start(options, meters);
    }

    private void registerMetrics(MeterRegistry meters) {
        Gauge.builder("thanos_rule_config_last_reload_successful", manager, m -> m.lastReload().ok() ? 1 : 0)
                .description("Whether the last configuration reload attempt was successful.").register(meters);
        Gauge.builder("thanos_rule_config_last_reload_success_timestamp_seconds", manager, m -> m.lastSuccessfulReloadMillis() / 1e3)
                .description("Timestamp of the last successful configuration reload.").register(meters);
        Gauge.builder("gauntlet_rule_head_series", storage, s -> s.stats().headSeries())
                .description("Series in the ruler's head.").register(meters);
        Gauge.builder("gauntlet_rule_blocks", storage, s -> s.stats().blocks())
                .description("Blocks in the ruler's data directory.").register(meters);
    }

    /** Reads the rule files again; invalid files keep the running rules (and are reported). */
    public synchronized RuleManager.ReloadResult reload() {
        ruleFilesDigest = digest();
        return manager.reload();
    }

    private String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : RuleManager.resolve(config.ruleFiles())) {
                sha.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private void watchRuleFiles() {
        while (!stopping) {
            try {
                Thread.sleep(config.ruleFilesCheckInterval());
            } catch (InterruptedException e) {
                return;
            }
            if (!digest().equals(ruleFilesDigest)) {
                LOG.info("rule files changed: reloading");
                reload();
            }
        }
    }

    public RuleManager manager() {
        return manager;
    }

    public Labels externalLabels() {
        return externalLabels;
    }

    public RuleStorage storage() {
        return storage;
    }

    @Produces
    @Unremovable
    @Named("thanos.Store")
    ServerServiceDefinition storeService() {
        return storeServer.storeService().bindService();
    }

    @Produces
    @Unremovable
    @Named("thanos.info.Info")
    ServerServiceDefinition infoService() {
        return storeServer.infoService().bindService();
    }

    @Produces
    @Unremovable
    @Named("thanos.Rules")
    ServerServiceDefinition rulesService() {
        return new RulesGrpcService(this).bindService();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        manager.close();
        notifier.close();
        if (shipper != null) {
            shipper.close();
        }
        if (endpoints != null) {
            endpoints.close();
        }
        try {
            storage.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
