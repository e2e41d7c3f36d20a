package io.gauntlet.service;

import io.gauntlet.tls.HandshakeFailureLog;
import io.gauntlet.tls.ServerTlsSettings;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * TLS for a grpc-java Netty server, from Thanos' {@code --grpc-server-tls-*} settings: the certificate and the client
 * CAs are re-read when their files change (new handshakes get the new ones, open connections and their streams go on),
 * and every refused handshake is logged with the peer and the reason (rate-limited) while the server serves the others.
 * To see handshakes at all, the server's accepted connections get a watcher at the head of their pipeline, which takes
 * the server's own channel and event loops (grpc-java wants all three or none).
 */
public final class GrpcServerTls implements AutoCloseable {
    private final SslContext sslContext;
    private final HandshakeFailureLog failures;
    private final Consumer<HandshakeFailureLog.Reason> onFailure;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final boolean epoll;

    /**
     * Reads the files now: a missing or unusable one throws {@code TlsConfigException} naming it.
     *
     * @param listener  names the server in log lines, e.g. {@code gRPC 0.0.0.0:10901}
     * @param onFailure told the reason of every refused handshake (a metric)
     */
    public GrpcServerTls(ServerTlsSettings settings, String listener, Consumer<HandshakeFailureLog.Reason> onFailure) {
        try {
            var builder = GrpcSslContexts.configure(io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(settings.keyManager()))
                    .protocols(settings.protocols());
            var clientCas = settings.clientTrustManager();
            if (clientCas.isPresent()) {
                builder.trustManager(clientCas.get()).clientAuth(ClientAuth.REQUIRE);
            }
            this.sslContext = builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for " + listener + ": " + e.getMessage(), e);
        }
        this.failures = new HandshakeFailureLog(listener);
        this.onFailure = onFailure;
        this.epoll = Epoll.isAvailable();
        DefaultThreadFactory bossThreads = new DefaultThreadFactory("grpc-tls-boss", true);
        DefaultThreadFactory workerThreads = new DefaultThreadFactory("grpc-tls-worker", true);
        this.boss = epoll ? new EpollEventLoopGroup(1, bossThreads) : new NioEventLoopGroup(1, bossThreads);
        this.workers = epoll ? new EpollEventLoopGroup(0, workerThreads) : new NioEventLoopGroup(0, workerThreads);
    }

    /** Makes the server speak TLS only, with the handshake watcher. */
    public NettyServerBuilder applyTo(NettyServerBuilder builder) {
        ChannelHandler acceptor = new AcceptedConnections();
        return builder.sslContext(sslContext)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .channelFactory(() -> {
                    ServerChannel channel = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
                    channel.pipeline().addLast(acceptor); // before the bootstrap's own acceptor: sees each new connection first
                    return channel;
                });
    }

    /** Stops the event loops; call after the server terminated. */
    @Override
    public void close() {
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private final class AcceptedConnections extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof Channel connection) {
                connection.pipeline().addFirst(new HandshakeWatcher());
            }
            context.fireChannelRead(message);
        }
    }

    /** Waits for the connection's first bytes (the TLS handler is in place by then), then watches its handshake and leaves. */
    private final class HandshakeWatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            SslHandler tls = context.pipeline().get(SslHandler.class);
            if (tls != null) {
                String peer = context.channel().remoteAddress() instanceof InetSocketAddress address
                        ? address.getHostString() + ":" + address.getPort() : String.valueOf(context.channel().remoteAddress());
                tls.handshakeFuture().addListener(done -> {
                    if (!done.isSuccess()) {
                        onFailure.accept(failures.failed(peer, done.cause()));
                    }
                });
            }
            context.pipeline().remove(this);
            context.fireChannelRead(message);
        }
    }
}
