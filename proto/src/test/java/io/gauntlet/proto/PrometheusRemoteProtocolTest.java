package io.gauntlet.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gauntlet.proto.prometheus.ChunkedReadResponse;
import io.gauntlet.proto.prometheus.ChunkedSeries;
import io.gauntlet.proto.prometheus.Label;
import io.gauntlet.proto.prometheus.LabelMatcher;
import io.gauntlet.proto.prometheus.Query;
import io.gauntlet.proto.prometheus.ReadRequest;
import io.gauntlet.proto.prometheus.ReadResponse;
import io.gauntlet.proto.prometheus.Sample;
import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.proto.prometheus.WriteRequest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The prompb messages against a real Prometheus 2.42 on loopback: samples written with our WriteRequest come back
 * through remote read both as SAMPLES (ReadResponse) and as STREAMED_XOR_CHUNKS (ChunkedReadResponse frames).
 */
class PrometheusRemoteProtocolTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Process prometheus;
    private static String base;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "Prometheus 2.42 is not installed at /usr/bin/prometheus (./gauntlet test installs it): skipping");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  external_labels:\n    cluster: gauntlet\n");
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static HttpResponse<byte[]> post(String path, byte[] body, boolean read) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(body)));
        request.header(read ? "X-Prometheus-Remote-Read-Version" : "X-Prometheus-Remote-Write-Version", "0.1.0");
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void writtenSamplesComeBackThroughBothRemoteReadResponseTypes() throws Exception {
        long now = System.currentTimeMillis();
        long[] times = {now - 20_000, now - 10_000, now};
        TimeSeries.Builder written = TimeSeries.newBuilder()
                .addLabels(Label.newBuilder().setName("__name__").setValue("gauntlet_wire_test"))
                .addLabels(Label.newBuilder().setName("job").setValue("proto"));
        for (int i = 0; i < times.length; i++) {
            written.addSamples(Sample.newBuilder().setTimestamp(times[i]).setValue(1.5 * (i + 1)));
        }
        HttpResponse<byte[]> write = post("/api/v1/write", WriteRequest.newBuilder().addTimeseries(written).build().toByteArray(), false);
        assertThat(write.statusCode()).as(new String(write.body())).isBetween(200, 299);

        Query query = Query.newBuilder().setStartTimestampMs(now - 60_000).setEndTimestampMs(now + 1)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("gauntlet_wire_test")).build();

        HttpResponse<byte[]> samples = post("/api/v1/read", ReadRequest.newBuilder().addQueries(query).build().toByteArray(), true);
        assertThat(samples.statusCode()).as(new String(samples.body())).isEqualTo(200);
        ReadResponse response = ReadResponse.parseFrom(Snappy.uncompress(samples.body()));
        TimeSeries series = response.getResults(0).getTimeseries(0);
        assertThat(series.getLabelsList()).extracting(Label::getName, Label::getValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("__name__", "gauntlet_wire_test"), org.assertj.core.groups.Tuple.tuple("cluster", "gauntlet"),
                org.assertj.core.groups.Tuple.tuple("job", "proto"));
        assertThat(series.getSamplesList()).extracting(Sample::getTimestamp).containsExactly(times[0], times[1], times[2]);
        assertThat(series.getSamplesList()).extracting(Sample::getValue).containsExactly(1.5, 3.0, 4.5);

        HttpResponse<byte[]> streamed = post("/api/v1/read", ReadRequest.newBuilder().addQueries(query)
                .addAcceptedResponseTypes(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS).build().toByteArray(), true);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type")).hasValue("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
        List<ChunkedReadResponse> frames = frames(streamed.body());
        assertThat(frames).hasSize(1);
        ChunkedSeries chunked = frames.getFirst().getChunkedSeries(0);
        assertThat(frames.getFirst().getQueryIndex()).isZero();
        assertThat(chunked.getLabelsList()).extracting(Label::getName).containsExactly("__name__", "cluster", "job");
        assertThat(chunked.getChunks(0).getType()).isEqualTo(io.gauntlet.proto.prometheus.Chunk.Encoding.XOR);
        assertThat(chunked.getChunks(0).getMinTimeMs()).isEqualTo(times[0]);
        assertThat(chunked.getChunks(0).getMaxTimeMs()).isEqualTo(times[2]);
        byte[] data = chunked.getChunks(0).getData().toByteArray();
        assertThat(((data[0] & 0xFF) << 8) | (data[1] & 0xFF)).isEqualTo(3); // XOR chunk header: sample count
    }

    /** Frames of a streamed remote read body: uvarint length, big-endian CRC32C of the message, message. */
    private static List<ChunkedReadResponse> frames(byte[] body) throws IOException {
        List<ChunkedReadResponse> frames = new ArrayList<>();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
        while (in.available() > 0) {
            long length = 0;
            int shift = 0;
            int b;
            do {
                b = in.readUnsignedByte();
                length |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b >= 0x80);
            int crc = in.readInt();
            byte[] message = in.readNBytes((int) length);
            CRC32C expected = new CRC32C();
            expected.update(message);
            assertThat(crc).isEqualTo((int) expected.getValue());
            frames.add(ChunkedReadResponse.parseFrom(message));
        }
        return frames;
    }
}
