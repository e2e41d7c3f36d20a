package io.gauntlet.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The one gRPC server of a service (Thanos flags {@code --grpc-address}, {@code --grpc-grace-period}). */
@ConfigMapping(prefix = "gauntlet.grpc")
public interface GrpcConfig {
    /** host:port to listen on; port 0 picks a free one (tests). */
    @WithDefault("0.0.0.0:10901")
    String address();

    /** How long running calls may take to finish on shutdown before they are cancelled. */
    @WithDefault("30s")
    Duration gracePeriod();

    /** Largest request message accepted. */
    @WithDefault("16777216")
    int maxInboundMessageSize();

    /** Whether the gRPC server starts at all (a service without gRPC APIs turns it off). */
    @WithDefault("true")
    boolean enabled();
}
