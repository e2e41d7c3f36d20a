package io.gauntlet.query.testing;

import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.StoreServer;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.Labels;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A chunk source served as a Thanos StoreAPI (Store + Info) on a free loopback port, or an endpoint that serves only
 * Info without a {@code store} section (hand-written: no Gauntlet component is such an endpoint, a rules- or
 * metadata-only server is).
 */
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

    /** An endpoint whose Info advertises no StoreAPI (e.g. component type "rule") and which serves nothing else. */
    public static StoreFixture infoOnly(String componentType, Labels labelSet) throws IOException {
        InfoResponse info = InfoResponse.newBuilder().setComponentType(componentType)
                .addLabelSets(ZLabelSet.newBuilder().addAllLabels(StoreWire.toWire(labelSet))).build();
        return new StoreFixture(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new InfoGrpc.InfoImplBase() {
            @Override
            public void info(InfoRequest request, StreamObserver<InfoResponse> out) {
                out.onNext(info);
                out.onCompleted();
            }
        }).build().start());
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
