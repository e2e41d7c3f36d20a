package io.gauntlet.querier;

import io.gauntlet.promql.engine.EngineOptions;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.EndpointsFile;
import io.gauntlet.query.ProxyStore;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreServer;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.gauntlet.service.GrpcConfig;
import io.gauntlet.tls.GrpcClientTls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Builds the endpoint set (static endpoints and endpoints files), the engine and the querier's own StoreAPI (its
 * endpoints as one store, guarded against loops) from the configuration, and runs the endpoint polling.
 */
@ApplicationScoped
public class QuerierServices {
    private static final Logger LOG = Logger.getLogger(QuerierServices.class);

    private volatile EndpointsFile endpointsFile;
    private volatile Gauge loopsGauge;

    @Produces
    @Singleton
    QuerierLoopGuard loopGuard() {
        return new QuerierLoopGuard();
    }

    @Produces
    @Singleton
    EndpointSet endpointSet(QuerierConfig config, QuerierLoopGuard loopGuard, GrpcConfig grpc) {
        List<String> specs = config.endpoints().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        List<Path> files = config.endpointsFile().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        GrpcClientTls transport = grpc.clientTls();
        LOG.infof("querier %s: endpoints %s (%s), endpoints files %s, replica labels %s", loopGuard.id(), specs, transport.describe(),
                files, config.replicaLabels().orElse(List.of()));
        AtomicReference<EndpointSet> created = new AtomicReference<>();
        if (!files.isEmpty()) {
            endpointsFile = new EndpointsFile(files, config.endpointsFileInterval(), () -> created.get().refreshSoon());
        }
        EndpointsFile file = endpointsFile;
        EndpointSet endpoints = new EndpointSet(specs, file == null ? List::of : file::specs, loopGuard, config.timeout(),
                config.infoTimeout(), config.unhealthyTimeout()).withTransport(transport.credentials(), transport.authority());
        created.set(endpoints);
        return endpoints;
    }

    @Produces
    @Singleton
    PromqlEngine engine(QuerierConfig config) {
        return new PromqlEngine(EngineOptions.defaults()
                .withTimeout(config.timeout())
                .withMaxSamples(config.maxSamples())
                .withLookbackDelta(config.lookbackDelta().toMillis()));
    }

    /** The querier's endpoints as one store: series merged, not deduplicated (the querier above does that). */
    @Produces
    @Singleton
    StoreServer storeServer(EndpointSet endpoints, QuerierConfig config, StoreCallMetrics metrics) {
        // Info announces the Metadata API too (QuerierMetadata serves it), and exemplars, targets and rules while an
        // endpoint offers them (QuerierExemplarsTargets and QuerierRules serve them)
        return new StoreServer(new ProxyStore(endpoints::healthy, config.maxSeries(), metrics),
                new StoreLimits(config.requestSeriesLimit(), config.requestSamplesLimit()), false, true).announcing(endpoints::fannedOutApis);
    }

    /**
     * A service this querier offers to a querier one level up: the loop guard runs first (a call that already passed
     * through this querier is refused), then the given interceptors.
     */
    static ServerServiceDefinition forQuerierAbove(ServerServiceDefinition service, QuerierLoopGuard loopGuard, EndpointSet endpoints,
            ServerInterceptor... inner) {
        return ServerInterceptors.intercept(ServerInterceptors.intercept(service, inner), loopGuard.serverInterceptor(endpoints::reachableQueriers));
    }

    @Produces
    @Unremovable
    @Named("thanos.Store")
    ServerServiceDefinition storeService(StoreServer server, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
        return forQuerierAbove(server.storeService().bindService(), loopGuard, endpoints);
    }

    @Produces
    @Unremovable
    @Named("thanos.info.Info")
    ServerServiceDefinition infoService(StoreServer server, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
        return forQuerierAbove(server.infoService().bindService(), loopGuard, endpoints);
    }

    void start(@Observes StartupEvent event, EndpointSet endpoints, QuerierConfig config, MeterRegistry meters) {
        loopsGauge = Gauge.builder("gauntlet_querier_endpoint_loops", endpoints, EndpointSet::loopingEndpoints)
                .description("Endpoints refused because querying them would loop back to this querier").register(meters);
        EndpointsFile file = endpointsFile;
        if (file != null) {
            try {
                file.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot watch the endpoints files: " + e.getMessage(), e);
            }
        }
        endpoints.start(config.infoInterval());
    }

    void stop(@Observes ShutdownEvent event, EndpointSet endpoints, MeterRegistry meters) {
        // a registry outliving this start (tests restart the app in one JVM) must not keep a gauge of a closed endpoint set
        if (loopsGauge != null) {
            meters.remove(loopsGauge);
        }
        EndpointsFile file = endpointsFile;
        if (file != null) {
            file.close();
        }
        endpoints.close();
    }
}
