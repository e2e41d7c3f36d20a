package io.gauntlet.querier;

import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.ExemplarsFanOut;
import io.gauntlet.query.TargetsFanOut;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The fan-outs behind {@code /api/v1/query_exemplars} and {@code /api/v1/targets}: every healthy endpoint announcing the API. */
@ApplicationScoped
public class QuerierExemplarsTargets {
    @Produces
    @Singleton
    ExemplarsFanOut exemplarsFanOut(EndpointSet endpoints, QuerierConfig config) {
        return new ExemplarsFanOut(endpoints::healthy, config.timeout());
    }

    @Produces
    @Singleton
    TargetsFanOut targetsFanOut(EndpointSet endpoints, QuerierConfig config) {
        return new TargetsFanOut(endpoints::healthy, config.timeout());
    }

    void close(@Disposes ExemplarsFanOut fanOut) {
        fanOut.close();
    }

    void close(@Disposes TargetsFanOut fanOut) {
        fanOut.close();
    }
}
