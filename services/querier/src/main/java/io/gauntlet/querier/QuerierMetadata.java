package io.gauntlet.querier;

import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.MetadataFanOut;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.store.MetadataServer;
import io.grpc.ServerServiceDefinition;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The metadata fan-out behind {@code /api/v1/metadata} and the querier's own {@code thanos.Metadata} service: every
 * healthy endpoint, each call bounded by the query timeout.
 */
@ApplicationScoped
public class QuerierMetadata {
    @Produces
    @Singleton
    MetadataFanOut metadataFanOut(EndpointSet endpoints, QuerierConfig config) {
        return new MetadataFanOut(endpoints::healthy, config.timeout());
    }

    /** For a querier one level up (its Info announces it): the endpoints' metadata merged, failures as warnings or ABORTED. */
    @Produces
    @Unremovable
    @Named("thanos.Metadata")
    ServerServiceDefinition metadataService(MetadataFanOut fanOut, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
        return QuerierServices.forQuerierAbove(new MetadataServer(fanOut).metadataService().bindService(), loopGuard, endpoints);
    }

    void close(@Disposes MetadataFanOut fanOut) {
        fanOut.close();
    }
}
