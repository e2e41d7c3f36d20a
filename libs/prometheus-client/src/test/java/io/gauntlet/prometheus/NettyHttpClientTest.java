package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client against a loopback server that writes scripted answers in odd pieces (a hand-written server: the
 * point is answers split anywhere, cut short or malformed, which no real server writes on purpose).
 */
class NettyHttpClientTest {
    private final Random random = new Random(42);
    private ScriptedServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void chunkedAnswersSplitAnywhereArriveWholeAndTheConnectionIsReused() throws Exception {
        byte[] payload = randomBytes(300_000);
        byte[] answer = chunked(payload, true);
        server = new ScriptedServer(List.of(answer, answer), false);
        try (NettyHttpClient client = client(server.port())) {
            for (int i = 0; i < 2; i++) {
                try (NettyHttpClient.Answer response = client.send(HttpMethod.POST, "/api/v1/read", Map.of("X-Test", "1"),
                        "request".getBytes(StandardCharsets.UTF_8))) {
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.header("content-type")).isEqualTo("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
                    assertThat(readInRandomSteps(response.body())).isEqualTo(payload);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(server.requests).hasSize(2).allSatisfy(request -> assertThat(request.toLowerCase(java.util.Locale.ROOT))
                .startsWith("post /api/v1/read http/1.1\r\n").contains("host: 127.0.0.1:" + server.port() + "\r\n")
                .contains("content-length: 7\r\n").contains("x-test: 1\r\n").endsWith("\r\n\r\nrequest"));
    }

    @Test
    void contentLengthAnswersAndConnectionCloseAreHonoured() throws Exception {
        byte[] payload = randomBytes(70_000);
        byte[] head = ("HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + payload.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] answer = concat(head, payload);
        server = new ScriptedServer(List.of(answer, answer), false);
        try (NettyHttpClient client = client(server.port())) {
            for (int i = 0; i < 2; i++) {
                try (NettyHttpClient.Answer response = client.send(HttpMethod.POST, "/x", Map.of(), new byte[0])) {
                    assertThat(response.status()).isEqualTo(500);
                    assertThat(response.readAll()).isEqualTo(payload);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aChunkedAnswerCutShortIsAnErrorNotAShortBody() throws Exception {
        byte[] answer = chunked(randomBytes(50_000), false);
        server = new ScriptedServer(List.of(java.util.Arrays.copyOf(answer, answer.length - 3000)), true);
        try (NettyHttpClient client = client(server.port());
                NettyHttpClient.Answer response = client.send(HttpMethod.POST, "/x", Map.of(), new byte[0])) {
            assertThatThrownBy(response::readAll).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed inside the HTTP body");
        }
    }

    @Test
    void anIdleConnectionTheServerClosedIsReplaced() throws Exception {
        byte[] answer = chunked(randomBytes(1000), false);
        server = new ScriptedServer(List.of(answer, answer), true); // closes after every answer, without saying so
        try (NettyHttpClient client = client(server.port())) {
            for (int i = 0; i < 2; i++) {
                try (NettyHttpClient.Answer response = client.send(HttpMethod.POST, "/x", Map.of(), new byte[0])) {
                    assertThat(response.readAll()).hasSize(1000);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aSmallAnswerArrivingWithItsHeadInOneWriteIsRead() throws Exception {
        byte[] payload = randomBytes(300);
        server = new ScriptedServer(List.of(chunked(payload, false), chunked(payload, false)), false, Integer.MAX_VALUE);
        try (NettyHttpClient client = client(server.port())) {
            for (int i = 0; i < 2; i++) {
                try (NettyHttpClient.Answer response = client.send(HttpMethod.POST, "/x", Map.of(), new byte[0])) {
                    FrameBuffer body = response.body();
                    assertThat(body.fill(1)).isTrue();
                    assertThat(readInRandomSteps(body)).isEqualTo(payload);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aRefusedConnectionFailsRightAway() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (NettyHttpClient client = client(port)) {
            assertThatThrownBy(() -> client.send(HttpMethod.GET, "/x", Map.of(), new byte[0])).isInstanceOf(ConnectException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    @Test
    void aMalformedChunkedAnswerIsAnErrorNamingTheServer() throws Exception {
        byte[] answer = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n").getBytes(StandardCharsets.ISO_8859_1);
        server = new ScriptedServer(List.of(answer), false);
        try (NettyHttpClient client = client(server.port())) {
            // the bad chunk may arrive with the head: the error comes from send or from reading the body
            assertThatThrownBy(() -> {
                try (NettyHttpClient.Answer response = client.send(HttpMethod.GET, "/x", Map.of(), new byte[0])) {
                    response.readAll();
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("invalid HTTP answer from http://127.0.0.1:" + server.port())
                    .hasMessageContaining("chunk size");
        }
    }

    @Test
    void aLargeAnswerWaitsForASlowReaderAndArrivesWhole() throws Exception {
        byte[] payload = randomBytes(12 << 20);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        server = new ScriptedServer(List.of(concat(head, payload)), false, 256 * 1024);
        try (NettyHttpClient client = client(server.port());
                NettyHttpClient.Answer response = client.send(HttpMethod.GET, "/x", Map.of(), new byte[0])) {
            FrameBuffer body = response.body();
            // the reader starts only once the socket buffers are full: the server waits for the reader, nothing is lost
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.written.get() > 256 * 1024);
            assertThat(readInRandomSteps(body)).isEqualTo(payload);
        }
    }

    @Test
    void aStalledAnswerTimesOutInsteadOfHanging() throws Exception {
        byte[] answer = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n").getBytes(StandardCharsets.ISO_8859_1);
        server = new ScriptedServer(List.of(answer, answer), false); // waits for a second request on the open connection
        try (NettyHttpClient client = new NettyHttpClient(URI.create("http://127.0.0.1:" + server.port()), HttpClientConfig.NONE,
                Duration.ofSeconds(5), Duration.ofMillis(300));
                NettyHttpClient.Answer response = client.send(HttpMethod.GET, "/x", Map.of(), new byte[0])) {
            assertThatThrownBy(response::readAll).isInstanceOf(java.net.SocketTimeoutException.class).hasMessageContaining("300 ms");
        }
    }

    @Test
    void everyRequestCarriesTheConfiguredCredentialsAndRotatedFilesAreReadAgain(@TempDir Path directory) throws Exception {
        byte[] ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1);
        server = new ScriptedServer(List.of(ok, ok, ok, ok), false);
        Path passwordFile = directory.resolve("password");
        Files.writeString(passwordFile, "first\n");
        HttpClientConfig basic = new HttpClientConfig(new HttpClientConfig.BasicAuth("prom", "", passwordFile), "", null, null);
        try (NettyHttpClient client = client(server.port(), basic)) {
            get(client);
            Files.writeString(passwordFile, "second-password");
            Files.setLastModifiedTime(passwordFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            get(client);
        }
        Path tokenFile = directory.resolve("token");
        Files.writeString(tokenFile, "  a-token  \n");
        try (NettyHttpClient client = client(server.port(), new HttpClientConfig(null, "", tokenFile, null))) {
            get(client);
        }
        try (NettyHttpClient client = client(server.port(), new HttpClientConfig(null, "inline-token", null, null))) {
            get(client);
        }
        assertThat(server.requests).extracting(NettyHttpClientTest::authorization).containsExactly(
                "Basic " + java.util.Base64.getEncoder().encodeToString("prom:first".getBytes(StandardCharsets.UTF_8)),
                "Basic " + java.util.Base64.getEncoder().encodeToString("prom:second-password".getBytes(StandardCharsets.UTF_8)),
                "Bearer a-token", "Bearer inline-token");
    }

    private static void get(NettyHttpClient client) throws IOException {
        try (NettyHttpClient.Answer response = client.send(HttpMethod.GET, "/x", Map.of(), new byte[0])) {
            assertThat(response.readAll()).asString(StandardCharsets.UTF_8).isEqualTo("ok");
        }
    }

    private static String authorization(String request) {
        for (String line : request.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("authorization: ")) {
                return line.substring("authorization: ".length());
            }
        }
        return "";
    }

    private static NettyHttpClient client(int port) {
        return client(port, HttpClientConfig.NONE);
    }

    private static NettyHttpClient client(int port, HttpClientConfig config) {
        return new NettyHttpClient(URI.create("http://127.0.0.1:" + port + "/"), config, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /** Reads the whole body asking for random amounts, as frames of random sizes would. */
    private byte[] readInRandomSteps(FrameBuffer body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int want = 1 + random.nextInt(random.nextBoolean() ? 20 : 20_000);
            boolean complete = body.fill(want);
            int take = complete ? want : body.available();
            out.write(body.array(), body.position(), take);
            body.skip(take);
            if (!complete) {
                return out.toByteArray();
            }
        }
    }

    /** A 200 answer with the payload in chunks of random sizes (one with an extension), optionally with trailers. */
    private byte[] chunked(byte[] payload, boolean trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int at = 0;
        boolean extension = true;
        while (at < payload.length) {
            int size = Math.min(payload.length - at, 1 + random.nextInt(random.nextBoolean() ? 10 : 6000));
            out.writeBytes((Integer.toHexString(size) + (extension ? ";name=value" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            extension = false;
            out.write(payload, at, size);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            at += size;
        }
        out.writeBytes((trailers ? "0\r\nX-Trailer: yes\r\n\r\n" : "0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Answers each request with the next scripted answer, written in pieces of random sizes. */
    private static final class ScriptedServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final Thread thread;

        ScriptedServer(List<byte[]> answers, boolean closeAfterEach) throws IOException {
            this(answers, closeAfterEach, 9000);
        }

        /** @param maxPiece the largest single write (the whole answer at once with Integer.MAX_VALUE) */
        ScriptedServer(List<byte[]> answers, boolean closeAfterEach, int maxPiece) throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().start(() -> serve(answers, closeAfterEach, maxPiece));
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(List<byte[]> answers, boolean closeAfterEach, int maxPiece) {
            Random pieces = new Random(7);
            int next = 0;
            try {
                while (next < answers.size()) {
                    try (Socket connection = socket.accept()) {
                        connections.incrementAndGet();
                        InputStream in = connection.getInputStream();
                        OutputStream out = connection.getOutputStream();
                        while (next < answers.size()) {
                            String request = readRequest(in);
                            if (request == null) {
                                break;
                            }
                            requests.add(request);
                            byte[] answer = answers.get(next++);
                            for (int at = 0; at < answer.length;) {
                                int size = Math.min(answer.length - at, maxPiece == Integer.MAX_VALUE ? maxPiece : 1 + pieces.nextInt(maxPiece));
                                out.write(answer, at, size);
                                out.flush();
                                written.addAndGet(size);
                                at += size;
                            }
                            if (closeAfterEach) {
                                break;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the test closed the server
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }
}
