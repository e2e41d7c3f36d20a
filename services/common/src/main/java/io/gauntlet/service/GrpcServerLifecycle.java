package io.gauntlet.service;

import io.gauntlet.store.SnappyCodec;
import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TlsConfigException;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts the service's one plain grpc-java server on {@code gauntlet.grpc.address} with every {@link BindableService}
 * and {@link ServerServiceDefinition} CDI bean, Thanos' "snappy" compressor, and the go-grpc-prometheus server
 * metrics; with {@code gauntlet.grpc.server-tls-*} TLS only ({@link GrpcServerTls}); stops it gracefully on shutdown
 * (new calls refused, running ones get the grace period).
 */
@ApplicationScoped
public class GrpcServerLifecycle {
    private static final Logger LOG = Logger.getLogger(GrpcServerLifecycle.class);

    @Inject
    GrpcConfig config;
    @Inject
    Instance<BindableService> bindableServices;
    @Inject
    Instance<ServerServiceDefinition> serviceDefinitions;
    @Inject
    MeterRegistry meters;

    private volatile Server server;
    private volatile GrpcServerTls tls;

    // after the beans other startup observers prepare (default priority 2500), before traffic matters
    void start(@Observes @Priority(3000) StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("gRPC server disabled (gauntlet.grpc.enabled=false)");
            return;
        }
        InetSocketAddress address = parseAddress(config.address());
        List<ServerServiceDefinition> services = new ArrayList<>();
        bindableServices.forEach(service -> services.add(service.bindService()));
        serviceDefinitions.forEach(services::add);
        if (System.getProperty("io.grpc.netty.shaded.io.netty.leakDetection.level") == null) {
            // Netty's default samples one buffer in 128 and records a stack trace for it (~100 a second while a
            // sidecar streams Series); an operator chasing a leak can still turn it on with the property
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        GrpcServerMetrics metrics = new GrpcServerMetrics(meters);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                .compressorRegistry(SnappyCodec.compressors())
                .decompressorRegistry(SnappyCodec.decompressors())
                .maxInboundMessageSize(config.maxInboundMessageSize());
        String security = "plain text";
        try {
            Optional<ServerTlsSettings> tlsSettings = config.serverTls();
            if (tlsSettings.isPresent()) {
                tls = new GrpcServerTls(tlsSettings.get(), "gRPC " + config.address(),
                        reason -> meters.counter("gauntlet.grpc.server.tls.handshake.failures", "reason", reason.label()).increment());
                tls.applyTo(builder);
                security = tlsSettings.get().describe();
            }
        } catch (TlsConfigException e) {
            LOG.error("gRPC server TLS cannot start: " + e.getMessage());
            throw e;
        }
        List<String> names = new ArrayList<>();
        for (ServerServiceDefinition service : services) {
            builder.addService(ServerInterceptors.intercept(service, metrics, FailedCallLog.SERVER));
            names.add(service.getServiceDescriptor().getName());
        }
        try {
            server = builder.build().start();
        } catch (IOException e) {
            if (tls != null) {
                tls.close();
            }
            throw new UncheckedIOException("cannot listen for gRPC on " + config.address() + ": " + e.getMessage(), e);
        }
        LOG.infof("gRPC server listening on %s:%d (%s) with %s", address.getHostString(), port(), security, names);
    }

    void stop(@Observes ShutdownEvent event) {
        Server running = server;
        if (running == null) {
            return;
        }
        running.shutdown();
        try {
            if (!running.awaitTermination(config.gracePeriod().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("gRPC calls still running after the grace period %s: cancelling them", config.gracePeriod());
                running.shutdownNow();
                running.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (tls != null) {
            tls.close();
        }
        LOG.info("gRPC server stopped");
    }

    /** The port the server listens on (the chosen one when configured with port 0); -1 before start. */
    public int port() {
        Server running = server;
        return running == null ? -1 : running.getPort();
    }

    /** {@code host:port} → address; a bare {@code :port} listens on every interface. */
    static InetSocketAddress parseAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("gauntlet.grpc.address must be host:port, got '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gauntlet.grpc.address has no numeric port: '" + address + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gauntlet.grpc.address port out of range: '" + address + "'");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
