package io.gauntlet.query.testing;

import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.FanOutObserver;
import io.gauntlet.query.ProxyStore;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A querier's StoreAPI without the service around it: an endpoint set, its {@link ProxyStore} served by
 * {@link StoreServer} behind the {@link QuerierLoopGuard}, on a free loopback port — what services/querier wires, for
 * tests and benchmarks that need a second querier in the same JVM. Endpoints are asked of {@code specs} on every
 * {@link #refresh()}, so a test can list the querier's own address.
 */
public final class QuerierFixture implements AutoCloseable {
    private final Server server;
    private final EndpointSet endpoints;
    private final QuerierLoopGuard loopGuard;

    private QuerierFixture(Server server, EndpointSet endpoints, QuerierLoopGuard loopGuard) {
        this.server = server;
        this.endpoints = endpoints;
        this.loopGuard = loopGuard;
    }

    public static QuerierFixture start(Supplier<List<String>> specs, StoreLimits limits) throws IOException {
        QuerierLoopGuard loopGuard = new QuerierLoopGuard();
        EndpointSet endpoints = new EndpointSet(List.of(), specs, loopGuard, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofMinutes(5));
        StoreServer storeServer = new StoreServer(new ProxyStore(endpoints::healthy, 0, FanOutObserver.NONE), limits, false);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        for (ServerServiceDefinition service : storeServer.services()) {
            builder.addService(ServerInterceptors.intercept(service, loopGuard.serverInterceptor(endpoints::reachableQueriers)));
        }
        return new QuerierFixture(builder.build().start(), endpoints, loopGuard);
    }

    /** A querier over fixed endpoints, refreshed once. */
    public static QuerierFixture over(List<String> specs) throws IOException {
        QuerierFixture querier = start(() -> specs, StoreLimits.NONE);
        querier.refresh();
        return querier;
    }

    /** A querier whose endpoints are set after it started (e.g. to list itself). */
    public static QuerierFixture withSpecs(AtomicReference<List<String>> specs) throws IOException {
        return start(specs::get, StoreLimits.NONE);
    }

    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    public EndpointSet endpoints() {
        return endpoints;
    }

    public String id() {
        return loopGuard.id();
    }

    /** Polls every endpoint's Info once and waits for the answers. */
    public void refresh() {
        endpoints.refresh();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        endpoints.close();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
