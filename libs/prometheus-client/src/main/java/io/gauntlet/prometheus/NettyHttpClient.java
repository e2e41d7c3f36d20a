package io.gauntlet.prometheus;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * An HTTP/1.1 client for one server on Netty: Netty's codec parses the answer's head and framing (chunked, counted or
 * until close), TLS is Netty's {@link SslHandler} over the JDK's engine, and every request carries the configured
 * credentials. A body is read on the caller's thread from a {@link QueuedBody} the event loop fills, so a large
 * streamed answer is parsed in the caller's buffer as it arrives. One request at a time per connection; connections
 * are kept alive and reused when an answer was read to its end.
 */
public final class NettyHttpClient implements AutoCloseable {
    private static final int MAX_IDLE = 4;
    private static final int MAX_HEAD_LINE = 8192;
    private static final int MAX_HEADERS = 64 * 1024;
    private static final int MAX_CONTENT_PIECE = 256 * 1024;

    /** One small event loop group for every client of the process (daemon threads: nothing to shut down). */
    private static final class EventLoops {
        static final EventLoopGroup GROUP = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("prometheus-http", true));
    }

    private final String host;
    private final int port;
    private final String hostHeader;
    private final String origin;
    private final ClientTls tls;
    private final RequestCredentials credentials;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Bootstrap bootstrap;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /**
     * @param readTimeout the longest wait for the answer's head, and for each awaited piece of its body
     * @throws IllegalArgumentException for a URL that is not http(s), or TLS files that cannot be loaded
     */
    public NettyHttpClient(URI server, HttpClientConfig config, Duration connectTimeout, Duration readTimeout) {
        String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http(s) URL: " + server);
        }
        if (server.getHost() == null) {
            throw new IllegalArgumentException("no host in the URL " + server);
        }
        boolean secure = scheme.equals("https");
        this.host = server.getHost().startsWith("[") ? server.getHost().substring(1, server.getHost().length() - 1) : server.getHost();
        this.port = server.getPort() > 0 ? server.getPort() : secure ? 443 : 80;
        this.hostHeader = server.getPort() > 0 ? server.getHost() + ":" + server.getPort() : server.getHost();
        this.origin = scheme + "://" + hostHeader;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.credentials = new RequestCredentials(config);
        if (secure) {
            this.tls = new ClientTls(config.tls(), host, port);
            try {
                tls.load();
            } catch (SSLException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        } else {
            this.tls = null;
        }
        this.bootstrap = new Bootstrap().group(EventLoops.GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    /** {@code scheme://host:port}, as errors name the server. */
    public String origin() {
        return origin;
    }

    /**
     * Sends a request and waits for the answer's head. A kept-alive connection the server closed meanwhile is replaced.
     *
     * @param target the request target (path and query, already encoded)
     * @throws IOException when the server cannot be reached, the TLS handshake fails, no valid answer head arrives in
     *                     time, or a credentials file cannot be read
     */
    public Answer send(HttpMethod method, String target, Map<String, String> headers, byte[] body) throws IOException {
        if (closed) {
            throw new IOException("the HTTP client for " + origin + " is closed");
        }
        String authorization = credentials.authorization();
        while (true) {
            Connection connection = idle.pollFirst();
            boolean reused = connection != null;
            if (connection == null) {
                connection = connect();
            } else if (!connection.channel.isActive()) {
                connection.channel.close();
                continue;
            }
            Answer answer = new Answer(connection, new QueuedBody(connection.channel, readTimeout));
            connection.current = answer;
            Connection sending = connection;
            connection.channel.writeAndFlush(request(method, target, headers, body, authorization)).addListener(written -> {
                if (!written.isSuccess()) {
                    answer.fail(sending.failure("sending the request to " + origin + " failed", written.cause()));
                }
            });
            try {
                answer.awaitHead();
                return answer;
            } catch (IOException e) {
                answer.abort();
                if (reused && !answer.anyAnswer && !(e instanceof SocketTimeoutException)) {
                    continue; // the server closed the idle connection: try a fresh one (or the next idle one)
                }
                throw e;
            }
        }
    }

    private FullHttpRequest request(HttpMethod method, String target, Map<String, String> headers, byte[] body, String authorization) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target, Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, hostHeader);
        if (body.length > 0 || method.equals(HttpMethod.POST) || method.equals(HttpMethod.PUT)) {
            HttpUtil.setContentLength(request, body.length);
        }
        headers.forEach((name, value) -> request.headers().set(name, value));
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return request;
    }

    private Connection connect() throws IOException {
        SslHandler ssl = tls == null ? null : tls.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, connectTimeout.toMillis());
        Connection connection = new Connection();
        ChannelFuture connected = bootstrap.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (ssl != null) {
                    channel.pipeline().addLast("tls", ssl);
                }
                channel.pipeline().addLast("http", new HttpClientCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_HEAD_LINE)
                        .setMaxHeaderSize(MAX_HEADERS).setMaxChunkSize(MAX_CONTENT_PIECE), false, false));
                channel.pipeline().addLast("answer", connection);
            }
        }).connect(host, port);
        if (!connected.awaitUninterruptibly(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
            connected.cancel(false);
            throw new ConnectException("connecting to " + origin + " timed out after " + connectTimeout.toMillis() + " ms");
        }
        if (!connected.isSuccess()) {
            Throwable cause = connected.cause();
            if (cause instanceof ConnectException refused) {
                throw refused;
            }
            throw cause instanceof IOException io ? io : new IOException("connecting to " + origin + " failed: " + message(cause), cause);
        }
        connection.channel = connected.channel();
        if (ssl != null) {
            Future<Channel> handshake = ssl.handshakeFuture();
            handshake.awaitUninterruptibly(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (!handshake.isSuccess()) {
                connection.channel.close();
                Throwable cause = handshake.cause();
                throw new SSLException("TLS handshake with " + origin + " failed: " + (cause == null ? "timed out" : message(cause)), cause);
            }
        }
        return connection;
    }

    @Override
    public void close() {
        closed = true;
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.channel.close();
        }
    }

    /** The innermost cause's message (Netty and the JDK wrap TLS and socket errors several times). */
    static String message(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName() : root.getMessage();
        if (root == error || error.getMessage() == null) {
            return text;
        }
        return error.getMessage().contains(text) ? error.getMessage() : error.getMessage() + ": " + text;
    }

    /** An answer whose head arrived; close it when done with the body (the connection is reused when it was read to its end). */
    public final class Answer implements AutoCloseable {
        private final Connection connection;
        private final QueuedBody body;
        private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        private volatile boolean anyAnswer;
        private boolean keepAlive;
        private boolean interim;
        private boolean closed;

        private Answer(Connection connection, QueuedBody body) {
            this.connection = connection;
            this.body = body;
        }

        public int status() {
            return head.join().status().code();
        }

        /** A header's value (repeated headers joined with ", "), or "". */
        public String header(String name) {
            return String.join(", ", head.join().headers().getAll(name));
        }

        /** The body as the caller reads it: blocking reads of what the event loop queued. */
        FrameBuffer.Source body() {
            return body;
        }

        /** The whole body (for API answers; a streamed answer is read through {@link #body()}). */
        public byte[] readAll() throws IOException {
            return new FrameBuffer(body, new byte[16 * 1024]).readAll();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            boolean reusable = keepAlive && body.readToEnd() && connection.channel.isActive() && !NettyHttpClient.this.closed;
            body.close();
            connection.current = null;
            if (reusable && idle.size() < MAX_IDLE) {
                idle.addFirst(connection);
            } else {
                connection.channel.close();
            }
        }

        private void awaitHead() throws IOException {
            try {
                head.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new SocketTimeoutException("no answer from " + origin + " within " + readTimeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(message(e.getCause()), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + origin);
            }
        }

        private void abort() {
            closed = true;
            body.close();
            connection.current = null;
            connection.channel.close();
        }

        // event loop side

        private void fail(IOException cause) {
            head.completeExceptionally(cause);
            body.fail(cause);
        }

        private void received(Object message) {
            anyAnswer = true;
            if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
                ReferenceCountUtil.release(message);
                DecoderResult result = object.decoderResult();
                fail(new IOException("invalid HTTP answer from " + origin + ": " + message(result.cause()), result.cause()));
                connection.channel.close();
                return;
            }
            if (message instanceof HttpResponse response) {
                HttpResponseStatus status = response.status();
                // an interim answer (100 Continue, 103 Early Hints) comes before the real one
                interim = status.codeClass() == HttpStatusClass.INFORMATIONAL && status.code() != 101;
                if (!interim) {
                    keepAlive = HttpUtil.isKeepAlive(response);
                    head.complete(response);
                }
            }
            if (message instanceof HttpContent content) {
                if (interim) {
                    content.release();
                } else {
                    body.offer(content.content());
                    if (content instanceof LastHttpContent) {
                        body.end();
                    }
                }
                if (content instanceof LastHttpContent) {
                    interim = false;
                }
            }
        }
    }

    /** One connection's end of the pipeline: hands what Netty decoded to the answer in progress. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        volatile Channel channel;
        volatile Answer current;
        private volatile Throwable broken; // why the connection failed, e.g. a TLS alert that arrived between two answers

        /** The error for an answer on this connection: its own reason when it broke, else {@code what} with {@code cause}. */
        IOException failure(String what, Throwable cause) {
            Throwable reason = broken != null ? broken : cause;
            if (reason == null) {
                return new IOException(what);
            }
            return new IOException(what + ": " + message(reason), reason);
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            Answer answer = current;
            if (answer == null) {
                ReferenceCountUtil.release(message); // nothing was asked: a misbehaving server
                context.close();
                return;
            }
            answer.received(message);
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            idle.remove(this);
            Answer answer = current;
            if (answer != null) {
                answer.fail(failure("connection to " + origin + " closed " + (answer.head.isDone() ? "inside the HTTP body" : "before an answer"),
                        null));
            }
            context.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            if (broken == null) {
                broken = cause;
            }
            Answer answer = current;
            if (answer != null) {
                answer.fail(failure("connection to " + origin + " failed", cause));
            }
            context.close();
        }
    }
}
