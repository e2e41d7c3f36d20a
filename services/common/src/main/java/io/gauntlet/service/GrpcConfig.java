package io.gauntlet.service;

import io.gauntlet.tls.GrpcClientTls;
import io.gauntlet.tls.ServerTlsSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The one gRPC server of a service and the gRPC clients it makes, with Thanos' flags ({@code --grpc-address},
 * {@code --grpc-grace-period}, {@code --grpc-server-tls-*}, {@code --grpc-client-tls-*}, {@code --grpc-client-server-name}).
 */
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

    /** PEM certificate (chain) of the server; with the key, the server speaks TLS only. */
    Optional<String> serverTlsCert();

    /** PEM private key of the server certificate (PKCS#8, PKCS#1 or SEC1). */
    Optional<String> serverTlsKey();

    /** PEM CAs of client certificates; set, every client must present a certificate they signed. */
    Optional<String> serverTlsClientCa();

    /** Oldest TLS version the server accepts: 1.0, 1.1, 1.2 or 1.3. */
    @WithDefault("1.2")
    String serverTlsMinVersion();

    /** Whether this service's gRPC clients (a querier's endpoints) use TLS. */
    @WithDefault("false")
    boolean clientTlsSecure();

    /** PEM client certificate presented to servers that require one. */
    Optional<String> clientTlsCert();

    /** PEM private key of the client certificate. */
    Optional<String> clientTlsKey();

    /** PEM CAs that server certificates must come from (the JDK's CAs when unset). */
    Optional<String> clientTlsCa();

    /** Name the servers' certificates must carry (and SNI), instead of the endpoint's host. */
    Optional<String> clientServerName();

    /** Encrypt but do not verify the server's certificate. */
    @WithDefault("false")
    boolean clientTlsSkipVerify();

    /** The server's TLS settings, empty for plain text; bad combinations throw naming the properties. */
    default Optional<ServerTlsSettings> serverTls() {
        return ServerTlsSettings.of(serverTlsCert(), serverTlsKey(), serverTlsClientCa(), serverTlsMinVersion(), "gauntlet.grpc.server-tls-");
    }

    /** How this service's gRPC clients connect. */
    default GrpcClientTls clientTls() {
        return GrpcClientTls.of(clientTlsSecure(), clientTlsCert(), clientTlsKey(), clientTlsCa(), clientServerName(), clientTlsSkipVerify());
    }
}
