package io.gauntlet.prometheus;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/1.1 client for one server whose HTTP is Netty's: every byte that comes or goes passes Netty's
 * {@link HttpClientCodec} (answer head and header validation, chunked, counted or until-close bodies, request
 * encoding), run in an {@link EmbeddedChannel} by the thread that sends the request and reads the answer. The transport
 * is a JDK socket ({@link SSLSocket} with the {@link ClientTls} context for https) read and written by that same thread,
 * so a large streamed answer is decoded where it is parsed, without a hand-off to an event loop per piece (Netty's own
 * NIO transport was measured slower on the sidecar's remote read path; see docs/benchmarks.md). Every request carries
 * the configured credentials. One request at a time per connection; connections are kept alive and reused when an
 * answer was read to its end.
 */
public final class NettyHttpClient implements AutoCloseable {
    /** What a TLS connection closed without an alert most likely means. */
    private static final String CLOSED_ON_TLS =
            " (the server closed the connection: it may require a client certificate it trusts, tls_config cert_file and key_file)";
    private static final int MAX_IDLE = 4;
    private static final int READ_BYTES = 64 * 1024;
    /** An answer's body buffer: most remote read frames (one series each) are parsed in place in it. */
    private static final int BODY_BUFFER_BYTES = 256 * 1024;
    private static final int RECEIVE_BUFFER_BYTES = 256 * 1024;
    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(64 * 1024)
            .setMaxChunkSize(READ_BYTES);

    private final String host;
    private final int port;
    private final String hostHeader;
    private final String origin;
    private final ClientTls tls;
    private final RequestCredentials credentials;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /**
     * @param readTimeout the longest wait for the answer's head, and for each read of its body
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
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis());
        this.credentials = new RequestCredentials(config);
        this.tls = secure ? new ClientTls(config.tls(), host) : null;
    }

    /** {@code scheme://host:port}, as errors name the server. */
    public String origin() {
        return origin;
    }

    /**
     * Sends a request and reads the answer's head. A kept-alive connection the server closed meanwhile is replaced.
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
            }
            Answer answer = new Answer(connection);
            connection.anyInput = false;
            try {
                connection.write(request(method, target, headers, body, authorization));
                answer.readHead();
                return answer;
            } catch (IOException | RuntimeException e) {
                connection.close();
                if (reused && !connection.anyInput && e instanceof IOException && !(e instanceof SocketTimeoutException)) {
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
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            try {
                socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            } catch (ConnectException e) {
                throw new ConnectException("connecting to " + origin + " failed: " + e.getMessage());
            } catch (SocketTimeoutException e) {
                throw new ConnectException("connecting to " + origin + " timed out after " + connectTimeoutMillis + " ms");
            }
            if (tls != null) {
                SSLSocket secure = tls.wrap(socket, port);
                socket = secure;
                secure.setSoTimeout(connectTimeoutMillis);
                try {
                    secure.startHandshake();
                } catch (SSLHandshakeException e) {
                    throw new SSLException("TLS handshake with " + origin + " failed: " + message(e), e);
                } catch (IOException e) {
                    // a Go server that refuses the client certificate may close before its alert is read
                    throw new SSLException("TLS handshake with " + origin + " failed: " + message(e)
                            + CLOSED_ON_TLS, e);
                }
            }
            socket.setSoTimeout(readTimeoutMillis);
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the failure to connect is what counts
            }
            throw e;
        }
    }

    /** Closes the idle connections; answers being read keep theirs until they are closed. */
    @Override
    public void close() {
        closed = true;
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
    }

    /** The innermost cause's message, after the outer one when that says more (the JDK wraps TLS and socket errors). */
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

    /**
     * An answer whose head was read. Its body is read through {@link #body()} or {@link #readAll()}; close it when done
     * (the connection is reused when the body was read to its end).
     */
    public final class Answer implements AutoCloseable {
        private final Connection connection;
        private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(); // decoded body bytes not handed out yet
        private FrameBuffer buffer;
        private HttpResponse head;
        private boolean keepAlive;
        private boolean interim;
        private boolean ended;
        private boolean closed;

        private Answer(Connection connection) {
            this.connection = connection;
        }

        public int status() {
            return head.status().code();
        }

        /** A header's value (repeated headers joined with ", "), or "". */
        public String header(String name) {
            return String.join(", ", head.headers().getAll(name));
        }

        /**
         * The body, read on the calling thread as it arrives, into the connection's buffer (kept for its next answer
         * unless a huge frame grew it).
         */
        FrameBuffer body() {
            if (buffer == null) {
                buffer = new FrameBuffer(this::read, connection.takeBuffer());
            }
            return buffer;
        }

        /** The whole body (for API answers; a streamed answer is read through {@link #body()}). */
        public byte[] readAll() throws IOException {
            return body().readAll();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            release();
            if (buffer != null) {
                connection.giveBack(buffer.array());
            }
            if (ended && keepAlive && !connection.broken && !NettyHttpClient.this.closed && idle.size() < MAX_IDLE) {
                idle.addFirst(connection);
            } else {
                connection.close();
            }
        }

        private void readHead() throws IOException {
            while (head == null) {
                if (!connection.readMore(this, null, 0, 0)) {
                    throw new IOException("connection to " + origin + " closed before an answer");
                }
            }
        }

        private int read(byte[] into, int offset, int length, int atLeast) throws IOException {
            if (closed) {
                throw new IOException("the answer from " + origin + " was closed");
            }
            int copied = 0;
            while (!pending.isEmpty() && copied < length) {
                copied += take(pending.peekFirst(), into, offset + copied, length - copied);
            }
            while (copied < atLeast && copied < length && !ended) {
                if (!connection.readMore(this, into, offset + copied, length - copied)) {
                    throw new IOException("connection to " + origin + " closed inside the HTTP body");
                }
                copied += connection.copied;
            }
            return copied == 0 && ended ? -1 : copied;
        }

        /** Copies from a pending piece, dropping it once empty. */
        private int take(ByteBuf piece, byte[] into, int offset, int length) {
            int n = Math.min(piece.readableBytes(), length);
            piece.readBytes(into, offset, n);
            if (!piece.isReadable()) {
                pending.pollFirst().release();
            }
            return n;
        }

        /** One decoded message: the head, or body bytes copied into the reader's array as far as it has room. */
        private int accept(HttpObject message, byte[] into, int offset, int length) throws IOException {
            if (message.decoderResult().isFailure()) {
                Throwable cause = message.decoderResult().cause();
                ReferenceCountUtil.release(message);
                connection.broken = true;
                throw new IOException("invalid HTTP answer from " + origin + ": " + message(cause), cause);
            }
            if (message instanceof HttpResponse response) {
                // an interim answer (100 Continue, 103 Early Hints) comes before the real one
                interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL && response.status().code() != 101;
                if (!interim) {
                    head = response;
                    keepAlive = HttpUtil.isKeepAlive(response);
                }
            }
            int copied = 0;
            if (message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                if (interim || ended) {
                    bytes.release();
                } else {
                    if (pending.isEmpty() && into != null) {
                        copied = Math.min(bytes.readableBytes(), length);
                        bytes.readBytes(into, offset, copied);
                    }
                    if (bytes.isReadable()) {
                        pending.addLast(bytes);
                    } else {
                        bytes.release();
                    }
                    ended = content instanceof LastHttpContent;
                }
                if (content instanceof LastHttpContent) {
                    interim = false;
                }
            }
            return copied;
        }

        private void release() {
            ByteBuf piece;
            while ((piece = pending.pollFirst()) != null) {
                piece.release();
            }
        }
    }

    /** One socket and the codec its bytes pass through; used by one thread at a time. */
    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final ArrayDeque<Object> decoded = new ArrayDeque<>();
        private final EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(DECODER, false, false), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                decoded.addLast(message); // taken by readMore right after the write
            }
        });
        private byte[] readBuffer = new byte[READ_BYTES];
        private byte[] bodyBuffer;
        private ByteBuf lastInput; // what the codec was last given: its array is reused only once the codec let go of it
        boolean anyInput; // for the answer in progress
        boolean broken;
        int copied; // body bytes the last readMore copied into the reader's array

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        }

        void write(FullHttpRequest request) throws IOException {
            if (!codec.writeOutbound(request)) {
                throw new IOException("the request to " + origin + " could not be encoded");
            }
            try {
                for (ByteBuf bytes = codec.readOutbound(); bytes != null; bytes = codec.readOutbound()) {
                    try {
                        bytes.readBytes(out, bytes.readableBytes());
                    } finally {
                        bytes.release();
                    }
                }
                out.flush();
            } catch (IOException e) {
                broken = true;
                throw refusal(e);
            }
        }

        /**
         * Why a write failed: a TLS server that refuses the client's certificate says so in an alert after the handshake
         * and closes, so the write fails first ("Broken pipe"); the alert, if it came, is the better reason.
         */
        private IOException refusal(IOException writeFailure) {
            if (socket instanceof SSLSocket) {
                try {
                    socket.setSoTimeout(1000);
                    in.read();
                } catch (SSLException alert) {
                    return new SSLException("TLS with " + origin + " failed: " + message(alert), alert);
                } catch (IOException ignored) {
                    // no alert: the write failure is all there is
                }
            }
            return new IOException("sending the request to " + origin + " failed: " + message(writeFailure)
                    + (socket instanceof SSLSocket ? CLOSED_ON_TLS : ""), writeFailure);
        }

        /**
         * Reads from the socket once and hands what the codec decoded to {@code answer}, body bytes into the reader's
         * array first ({@link #copied} says how many). False when the server closed the connection and nothing more was
         * decoded.
         */
        boolean readMore(Answer answer, byte[] into, int offset, int length) throws IOException {
            copied = 0;
            if (lastInput != null && lastInput.refCnt() != 0) {
                readBuffer = new byte[READ_BYTES]; // the codec (or a pending piece) still holds the previous bytes
            }
            lastInput = null;
            int n;
            try {
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                broken = true;
                throw new SocketTimeoutException("no data from " + origin + " for " + readTimeoutMillis + " ms");
            } catch (SSLException e) {
                broken = true;
                throw new SSLException("TLS with " + origin + " failed: " + message(e), e);
            } catch (IOException e) {
                broken = true;
                throw e;
            }
            boolean open = n >= 0;
            try {
                if (open) {
                    anyInput = true;
                    lastInput = Unpooled.wrappedBuffer(readBuffer, 0, n);
                    // straight into the pipeline: the embedded loop has no tasks to run between reads
                    codec.pipeline().fireChannelRead(lastInput).fireChannelReadComplete();
                    codec.checkException();
                } else {
                    broken = true;
                    codec.finish(); // an answer that ends with the connection ends here; one cut short does not
                }
            } catch (RuntimeException e) {
                broken = true;
                throw new IOException("invalid HTTP answer from " + origin + ": " + message(e), e);
            }
            boolean any = !decoded.isEmpty();
            for (Object message = decoded.pollFirst(); message != null; message = decoded.pollFirst()) {
                copied += answer.accept((HttpObject) message, into, offset + copied, length - copied);
            }
            return open || any;
        }

        /** The read buffer of an answer's body: the previous answer's, or a new one. */
        byte[] takeBuffer() {
            byte[] taken = bodyBuffer != null ? bodyBuffer : new byte[BODY_BUFFER_BYTES];
            bodyBuffer = null;
            return taken;
        }

        void giveBack(byte[] used) {
            if (used.length <= 4 * BODY_BUFFER_BYTES) {
                bodyBuffer = used;
            }
        }

        void close() {
            broken = true;
            codec.finishAndReleaseAll();
            decoded.forEach(ReferenceCountUtil::release);
            decoded.clear();
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
