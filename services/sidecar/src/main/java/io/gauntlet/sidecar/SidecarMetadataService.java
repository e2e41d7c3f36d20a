package io.gauntlet.sidecar;

import io.gauntlet.store.MetadataServer;
import io.grpc.ServerServiceDefinition;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

/** The sidecar's {@code thanos.Metadata} service: its Prometheus' {@code /api/v1/metadata}, as Thanos' sidecar serves it. */
@ApplicationScoped
public class SidecarMetadataService {
    @Produces
    @Unremovable
    @Named("thanos.Metadata")
    ServerServiceDefinition metadataService(SidecarConfig config) {
        return new MetadataServer(new PrometheusMetadata(config.prometheusUrl(), config.prometheusTimeout())).metadataService().bindService();
    }
}
