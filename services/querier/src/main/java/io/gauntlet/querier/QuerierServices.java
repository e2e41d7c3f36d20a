package io.gauntlet.querier;

import io.gauntlet.promql.engine.EngineOptions;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.query.EndpointSet;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/** Builds the endpoint set and the engine from the configuration and runs the endpoint polling. */
@ApplicationScoped
public class QuerierServices {
    private static final Logger LOG = Logger.getLogger(QuerierServices.class);

    @Produces
    @Singleton
    EndpointSet endpointSet(QuerierConfig config) {
        List<String> specs = config.endpoints().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        LOG.infof("querier endpoints: %s, replica labels: %s", specs, config.replicaLabels().orElse(List.of()));
        return new EndpointSet(specs, config.timeout(), config.infoTimeout(), config.unhealthyTimeout());
    }

    @Produces
    @Singleton
    PromqlEngine engine(QuerierConfig config) {
        return new PromqlEngine(EngineOptions.defaults()
                .withTimeout(config.timeout())
                .withMaxSamples(config.maxSamples())
                .withLookbackDelta(config.lookbackDelta().toMillis()));
    }

    void start(@Observes StartupEvent event, EndpointSet endpoints, QuerierConfig config) {
        endpoints.start(config.infoInterval());
    }

    void stop(@Observes ShutdownEvent event, EndpointSet endpoints) {
        endpoints.close();
    }
}
