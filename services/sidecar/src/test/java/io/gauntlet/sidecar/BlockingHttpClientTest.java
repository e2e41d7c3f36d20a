package io.gauntlet.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

/** The remote read HTTP client against a loopback server that writes scripted answers in odd pieces. */
class BlockingHttpClientTest {
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
        try (BlockingHttpClient client = client(server.port(), 4096)) {
            for (int i = 0; i < 2; i++) {
                try (BlockingHttpClient.Answer response = client.post("/api/v1/read", Map.of("X-Test", "1"), "request".getBytes(StandardCharsets.UTF_8))) {
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.header("content-type")).isEqualTo("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
                    assertThat(readInRandomSteps(response.body())).isEqualTo(payload);
                    assertThat(response.body().finished()).isTrue();
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(server.requests).hasSize(2).allSatisfy(request -> assertThat(request)
                .startsWith("POST /api/v1/read HTTP/1.1\r\n").contains("Content-Length: 7\r\n").contains("X-Test: 1\r\n").endsWith("\r\n\r\nrequest"));
    }

    @Test
    void contentLengthAnswersAndConnectionCloseAreHonoured() throws Exception {
        byte[] payload = randomBytes(70_000);
        byte[] head = ("HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + payload.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] answer = concat(head, payload);
        server = new ScriptedServer(List.of(answer, answer), false);
        try (BlockingHttpClient client = client(server.port(), 1024)) {
            for (int i = 0; i < 2; i++) {
                try (BlockingHttpClient.Answer response = client.post("/x", Map.of(), new byte[0])) {
                    assertThat(response.status()).isEqualTo(500);
                    assertThat(response.body().readAll()).isEqualTo(payload);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aChunkedAnswerCutShortIsAnErrorNotAShortBody() throws Exception {
        byte[] answer = chunked(randomBytes(50_000), false);
        server = new ScriptedServer(List.of(java.util.Arrays.copyOf(answer, answer.length - 3000)), true);
        try (BlockingHttpClient client = client(server.port(), 8192);
                BlockingHttpClient.Answer response = client.post("/x", Map.of(), new byte[0])) {
            assertThatThrownBy(() -> response.body().readAll()).isInstanceOf(IOException.class)
                    .hasMessageContaining("connection closed inside the HTTP body");
        }
    }

    @Test
    void anIdleConnectionTheServerClosedIsReplaced() throws Exception {
        byte[] answer = chunked(randomBytes(1000), false);
        server = new ScriptedServer(List.of(answer, answer), true); // closes after every answer, without saying so
        try (BlockingHttpClient client = client(server.port(), 8192)) {
            for (int i = 0; i < 2; i++) {
                try (BlockingHttpClient.Answer response = client.post("/x", Map.of(), new byte[0])) {
                    assertThat(response.body().readAll()).hasSize(1000);
                }
            }
        }
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aSmallAnswerArrivingWithItsHeadInOneWriteIsRead() throws Exception {
        byte[] payload = randomBytes(300);
        server = new ScriptedServer(List.of(chunked(payload, false), chunked(payload, false)), false, Integer.MAX_VALUE);
        try (BlockingHttpClient client = client(server.port(), 64 * 1024)) {
            for (int i = 0; i < 2; i++) {
                try (BlockingHttpClient.Answer response = client.post("/x", Map.of(), new byte[0])) {
                    assertThat(response.body().fill(1)).isTrue();
                    assertThat(readInRandomSteps(response.body())).isEqualTo(payload);
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
        try (BlockingHttpClient client = client(port, 8192)) {
            assertThatThrownBy(() -> client.post("/x", Map.of(), new byte[0])).isInstanceOf(ConnectException.class);
        }
    }

    private static BlockingHttpClient client(int port, int buffer) {
        return new BlockingHttpClient(URI.create("http://127.0.0.1:" + port + "/"), Duration.ofSeconds(5), Duration.ofSeconds(30), buffer);
    }

    /** Reads the whole body asking for random amounts, as frames of random sizes would. */
    private byte[] readInRandomSteps(HttpBody body) throws IOException {
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
