package io.gauntlet.querier;

import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.MetadataFanOut;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The metadata fan-out behind {@code /api/v1/metadata}: every healthy endpoint, each call bounded by the query timeout. */
@ApplicationScoped
public class QuerierMetadata {
    @Produces
    @Singleton
    MetadataFanOut metadataFanOut(EndpointSet endpoints, QuerierConfig config) {
        return new MetadataFanOut(endpoints::healthy, config.timeout());
    }

    void close(@Disposes MetadataFanOut fanOut) {
        fanOut.close();
    }
}
