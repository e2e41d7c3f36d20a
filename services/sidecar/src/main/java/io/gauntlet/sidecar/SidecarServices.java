package io.gauntlet.sidecar;

import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.prometheus.PrometheusExemplarsService;
import io.gauntlet.prometheus.PrometheusStatusService;
import io.gauntlet.prometheus.PrometheusTargetsService;
import io.gauntlet.proto.thanos.info.ExemplarsInfo;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.info.StatusInfo;
import io.gauntlet.proto.thanos.info.TargetsInfo;
import io.gauntlet.service.ReadinessCondition;
import io.gauntlet.service.ReadinessRegistry;
import io.gauntlet.store.MetadataServer;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.Labels;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/** Wires the sidecar: its Prometheus, the periodic refresh, readiness, metrics, and the Store and Info gRPC services. */
@ApplicationScoped
@Startup
public class SidecarServices {
    private static final Logger LOG = Logger.getLogger(SidecarServices.class);
    /** Thanos' sidecar announces exemplars over Prometheus' whole API time range (its minTime/maxTime, in seconds as Thanos sets them). */
    static final InfoResponse SIDECAR_APIS = InfoResponse.newBuilder()
            .setExemplars(ExemplarsInfo.newBuilder().setMinTime(Long.MIN_VALUE / 1000 + 62_135_596_801L).setMaxTime(Long.MAX_VALUE / 1000 - 62_135_596_801L))
            .setTargets(TargetsInfo.getDefaultInstance()).setStatus(StatusInfo.getDefaultInstance()).build();

    private final PrometheusClient prometheus;
    private final PrometheusWatcher watcher;
    private final StoreServer storeServer;
    private final ReadinessCondition readiness;

    @Inject
    public SidecarServices(SidecarConfig config, ReadinessRegistry registry, MeterRegistry meters) {
        HttpClientConfig http;
        try {
            http = HttpClientConfig.of(config.prometheusHttpClientFile().orElse(null), config.prometheusHttpClient().orElse(null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gauntlet.sidecar.prometheus-http-client(-file): " + e.getMessage(), e);
        }
        // a bad URL or unreadable TLS files fail the start here, naming the problem
        this.prometheus = new PrometheusClient(config.prometheusUrl(), http, config.prometheusConnectTimeout(), config.prometheusTimeout(),
                config.remoteReadMaxFrameBytes());
        this.watcher = new PrometheusWatcher(prometheus, config.strictBlockDurations());
        // the sidecar also serves thanos.Metadata, Exemplars and Targets (below): Info says so, as Thanos' sidecar does
        this.storeServer = new StoreServer(new PrometheusChunkSource(prometheus, watcher, config.remoteReadMode()), StoreLimits.NONE,
                config.chunkHashes(), true).announcing(SIDECAR_APIS);
        this.readiness = registry.condition("prometheus", PrometheusState.UNKNOWN.notReadyReason());
        // Thanos' sidecar metrics
        Gauge.builder("thanos_sidecar_prometheus_up", watcher, w -> w.state().prometheusUp() ? 1 : 0)
                .description("Boolean indicator whether the sidecar can reach its Prometheus peer.").register(meters);
        Gauge.builder("thanos_sidecar_last_heartbeat_success_time_seconds", watcher, w -> w.state().lastSuccessMillis() / 1000.0)
                .description("Timestamp of the last successful heartbeat in seconds.").register(meters);
        LOG.infof("sidecar for prometheus %s (refresh every %s, remote read %s, %s)", prometheus.name(), config.refreshInterval(),
                config.remoteReadMode(), http);
        refresh();
    }

    @Scheduled(every = "${gauntlet.sidecar.refresh-interval:30s}", delayed = "${gauntlet.sidecar.refresh-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        PrometheusState state = watcher.refresh();
        if (state.ready()) {
            readiness.markReady();
        } else {
            readiness.markNotReady(state.notReadyReason());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        prometheus.close();
    }

    public PrometheusWatcher watcher() {
        return watcher;
    }

    @Produces
    @Unremovable
    @Named("thanos.Store")
    ServerServiceDefinition storeService() {
        return storeServer.storeService().bindService();
    }

    /** Metric metadata from the same Prometheus, as Thanos' sidecar serves it (Info announces it). */
    @Produces
    @Unremovable
    @Named("thanos.Metadata")
    ServerServiceDefinition metadataService() {
        return new MetadataServer(prometheus).metadataService().bindService();
    }

    /** Exemplars from the same Prometheus, external labels added to the series labels (Info announces it). */
    @Produces
    @Unremovable
    @Named("thanos.Exemplars")
    ServerServiceDefinition exemplarsService() {
        return new PrometheusExemplarsService(prometheus, this::externalLabels).service().bindService();
    }

    /** Scrape targets from the same Prometheus, external labels added to their labels (Info announces it). */
    @Produces
    @Unremovable
    @Named("thanos.Targets")
    ServerServiceDefinition targetsService() {
        return new PrometheusTargetsService(prometheus, this::externalLabels).service().bindService();
    }

    /** TSDB statistics from the same Prometheus, for the querier's /api/v1/status/tsdb (Info announces it). */
    @Produces
    @Unremovable
    @Named("thanos.Status")
    ServerServiceDefinition statusService() {
        return new PrometheusStatusService(prometheus).service().bindService();
    }

    /** The external labels last read (none before the first successful read). */
    private Labels externalLabels() {
        Labels external = watcher.state().externalLabels();
        return external == null ? Labels.EMPTY : external;
    }

    @Produces
    @Unremovable
    @Named("thanos.info.Info")
    ServerServiceDefinition infoService() {
        return storeServer.infoService().bindService();
    }
}
