package io.gauntlet.querier;

import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.ExemplarsFanOut;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.query.TargetsFanOut;
import io.gauntlet.store.SnappyCodec;
import io.grpc.ServerServiceDefinition;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The fan-outs behind {@code /api/v1/query_exemplars} and {@code /api/v1/targets} (every healthy endpoint announcing the
 * API) and the querier's own {@code thanos.Exemplars} and {@code thanos.Targets} services over them.
 */
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

    /** For a querier one level up (Info announces it while an endpoint offers exemplars): the endpoints' series undeduplicated. */
    @Produces
    @Unremovable
    @Named("thanos.Exemplars")
    ServerServiceDefinition exemplarsService(ExemplarsFanOut fanOut, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
        return QuerierServices.forQuerierAbove(fanOut.service().bindService(), loopGuard, endpoints, SnappyCodec.answerInKind());
    }

    /** For a querier one level up (Info announces it while an endpoint offers targets): the endpoints' targets undeduplicated. */
    @Produces
    @Unremovable
    @Named("thanos.Targets")
    ServerServiceDefinition targetsService(TargetsFanOut fanOut, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
        return QuerierServices.forQuerierAbove(fanOut.service().bindService(), loopGuard, endpoints, SnappyCodec.answerInKind());
    }

    void close(@Disposes ExemplarsFanOut fanOut) {
        fanOut.close();
    }

    void close(@Disposes TargetsFanOut fanOut) {
        fanOut.close();
    }
}
