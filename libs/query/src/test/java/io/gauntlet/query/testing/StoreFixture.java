package io.gauntlet.query.testing;

import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.StoreServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A chunk source served as a Thanos StoreAPI (Store + Info) on a free loopback port. */
public final class StoreFixture implements AutoCloseable {
    private final Server server;

    private StoreFixture(Server server) {
        this.server = server;
    }

    public static StoreFixture serve(ChunkSource source) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        for (ServerServiceDefinition service : new StoreServer(source).services()) {
            builder.addService(service);
        }
        return new StoreFixture(builder.build().start());
    }

    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
