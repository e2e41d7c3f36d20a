package io.gauntlet.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking HTTP/1.1 client for one server, for large streamed answers read on the caller's thread: the
 * request goes out in one write, the answer is read in large reads into an {@link HttpBody} the caller parses in
 * place (the JDK HttpClient hands its body over in 16 KiB buffers, re-arming its selector for each). Connections are
 * kept alive and reused when an answer was read to its end.
 */
final class BlockingHttpClient implements AutoCloseable {
    private static final int MAX_IDLE = 4;
    private static final int MAX_HEADERS = 200;

    private final String host;
    private final int port;
    private final boolean tls;
    private final String hostHeader;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final int bufferBytes;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    /**
     * @param readTimeout the longest wait for any read (the answer's start, and every read of its body)
     * @param bufferBytes the read buffer of each connection (it grows for a larger frame)
     */
    BlockingHttpClient(URI server, Duration connectTimeout, Duration readTimeout, int bufferBytes) {
        String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http(s) URL: " + server);
        }
        this.tls = scheme.equals("https");
        this.host = server.getHost();
        this.port = server.getPort() > 0 ? server.getPort() : tls ? 443 : 80;
        this.hostHeader = server.getPort() > 0 ? server.getRawAuthority().substring(server.getRawAuthority().lastIndexOf('@') + 1) : host;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis());
        this.bufferBytes = bufferBytes;
    }

    /** An answer whose head was read; close it when done with the body (reuses the connection when the body was read to its end). */
    final class Answer implements AutoCloseable {
        private final Connection connection;
        private final int status;
        private final Map<String, String> headers;
        private final boolean keepAlive;
        private boolean closed;

        private Answer(Connection connection, int status, Map<String, String> headers, boolean keepAlive) {
            this.connection = connection;
            this.status = status;
            this.headers = headers;
            this.keepAlive = keepAlive;
        }

        int status() {
            return status;
        }

        /** A header's value (names are case-insensitive; repeated headers joined with ", "), or "". */
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }

        HttpBody body() {
            return connection.body;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (keepAlive && connection.body.finished() && idle.size() < MAX_IDLE) {
                idle.addFirst(connection);
            } else {
                connection.close();
            }
        }
    }

    /**
     * Sends a POST and reads the answer's head. A kept-alive connection the server closed meanwhile is replaced once.
     *
     * @throws IOException when the server cannot be reached or answers no valid HTTP/1.x head
     */
    Answer post(String target, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(256).append("POST ").append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\nContent-Length: ").append(body.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        while (true) {
            Connection connection = idle.pollFirst();
            boolean reused = connection != null;
            if (connection == null) {
                connection = open();
            }
            String statusLine;
            try {
                connection.out.write(request);
                connection.out.flush();
                connection.body = connection.nextBody();
                statusLine = connection.body.readLine();
            } catch (IOException e) {
                connection.close();
                if (reused) {
                    continue; // the server closed the idle connection: try a fresh one (or the next idle one)
                }
                throw e;
            }
            if (statusLine == null) {
                connection.close();
                if (reused) {
                    continue;
                }
                throw new IOException("connection closed without an answer");
            }
            try {
                return readHead(connection, statusLine);
            } catch (IOException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }
    }

    private Answer readHead(Connection connection, String statusLine) throws IOException {
        while (true) {
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("not an HTTP/1.x answer: '" + abbreviate(statusLine) + "'");
            }
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("bad HTTP status line: '" + abbreviate(statusLine) + "'");
            }
            Map<String, String> headers = new TreeMap<>();
            String line;
            while (!(line = require(connection.body.readLine())).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0 || headers.size() > MAX_HEADERS) {
                    throw new IOException("bad HTTP header line: '" + abbreviate(line) + "'");
                }
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            if (status >= 100 && status < 200) {
                statusLine = require(connection.body.readLine()); // 100 Continue and other interim answers
                continue;
            }
            String connectionHeader = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            boolean keepAlive = statusLine.startsWith("HTTP/1.1") ? !connectionHeader.contains("close") : connectionHeader.contains("keep-alive");
            String transferEncoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
            String contentLength = headers.get("content-length");
            if (!transferEncoding.isEmpty() && !transferEncoding.equals("identity")) {
                if (!transferEncoding.endsWith("chunked")) {
                    throw new IOException("unsupported Transfer-Encoding: " + transferEncoding);
                }
                connection.body.begin(HttpBody.Framing.CHUNKED, -1);
            } else if (contentLength != null) {
                long length;
                try {
                    length = Long.parseLong(contentLength);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + abbreviate(contentLength));
                }
                if (length < 0) {
                    throw new IOException("bad Content-Length: " + length);
                }
                connection.body.begin(HttpBody.Framing.CONTENT_LENGTH, length);
            } else {
                connection.body.begin(HttpBody.Framing.UNTIL_CLOSE, -1);
                keepAlive = false;
            }
            return new Answer(connection, status, headers, keepAlive);
        }
    }

    private static String require(String line) throws IOException {
        if (line == null) {
            throw new IOException("connection closed inside the response head");
        }
        return line;
    }

    private Connection open() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(bufferBytes);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            if (tls) {
                SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket, host, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.startHandshake();
                socket = secure;
            }
            return new Connection(socket, socket.getInputStream(), socket.getOutputStream());
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the failure to connect is what counts
            }
            throw e;
        }
    }

    @Override
    public void close() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }

    /** One connection; its read buffer stays with it (and keeps the size a large frame grew it to). */
    private final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        HttpBody body;

        Connection(Socket socket, InputStream in, OutputStream out) {
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        /** A body reader for the next answer, on the previous answer's array unless a huge frame grew it. */
        HttpBody nextBody() {
            byte[] previous = body == null ? null : body.array();
            return new HttpBody(in, previous != null && previous.length <= 4 * bufferBytes ? previous : new byte[bufferBytes]);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
