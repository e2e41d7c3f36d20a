package io.gauntlet.store.testing;

import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.store.EncodedSeriesResponse;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** gRPC servers with a channel to each, for tests: in-process or on loopback TCP, all shut down by {@link #close}. */
public final class TestServers implements AutoCloseable {
    /** {@code thanos.Store/Series} with each response kept as its wire bytes, to compare answers byte for byte. */
    public static final MethodDescriptor<SeriesRequest, EncodedSeriesResponse> RAW_SERIES = MethodDescriptor
            .<SeriesRequest, EncodedSeriesResponse>newBuilder().setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName("thanos.Store/Series").setRequestMarshaller(ProtoUtils.marshaller(SeriesRequest.getDefaultInstance()))
            .setResponseMarshaller(EncodedSeriesResponse.MARSHALLER).build();

    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** The services on an in-process server (responses are read after {@code onNext} returns, unlike over Netty). */
    public ManagedChannel inProcess(List<ServerServiceDefinition> services) throws IOException {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        services.forEach(builder::addService);
        servers.add(builder.build().start());
        return track(InProcessChannelBuilder.forName(name).build());
    }

    /** The services on a Netty server on 127.0.0.1, as the services run them; the channel takes 64 MiB messages. */
    public ManagedChannel loopback(List<ServerServiceDefinition> services) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        services.forEach(builder::addService);
        Server server = builder.build().start();
        servers.add(server);
        return track(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().maxInboundMessageSize(64 << 20).build());
    }

    private ManagedChannel track(ManagedChannel channel) {
        channels.add(channel);
        return channel;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
        channels.clear();
        servers.clear();
    }
}
