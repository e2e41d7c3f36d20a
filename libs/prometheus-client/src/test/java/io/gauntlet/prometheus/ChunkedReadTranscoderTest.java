package io.gauntlet.prometheus;

import static io.gauntlet.prometheus.ChunkedReadSeriesSetTest.frame;
import static io.gauntlet.prometheus.ChunkedReadSeriesSetTest.writeFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.gauntlet.prometheus.testing.PrometheusWithData;
import io.gauntlet.proto.prometheus.Chunk;
import io.gauntlet.proto.prometheus.ChunkedSeries;
import io.gauntlet.proto.prometheus.Label;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.EncodedSeriesSource;
import io.gauntlet.store.EncodedSeriesStream;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SeriesEncoder;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.store.testing.TestServers;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote read frames transcoded straight into Series bytes ({@link ChunkedReadTranscoder} → {@code SeriesEncoder})
 * give byte for byte the answer of the decoded path ({@link ChunkedReadSeriesSet} → relabeling → encoding): on
 * hand-made frames with every edge, and on generated data from a real Prometheus.
 */
class ChunkedReadTranscoderTest {
    private static final String PROMETHEUS = "http://127.0.0.1:9090";

    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    @Test
    void handMadeFramesWithEveryEdgeGiveTheSameBytes() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(List.of("__name__", "up", "cluster", "eu-1", "job", "a"), chunk(1, 0, 100), chunk(1, 101, 200)));
        // with the replica label added after "pod", this one sorts before the previous series (Thanos issue 6563)
        frame(stream, series(List.of("__name__", "up", "cluster", "eu-1", "job", "a", "pod", "p"), chunk(1, 0, 100)));
        frame(stream, series(List.of("__name__", "up", "cluster", "eu-1", "job", "a", "pod", "q", "zone", "z"), chunk(1, 0, 100)));
        // unsorted labels, an empty value, Prometheus' own external label value overridden
        frame(stream, series(List.of("job", "b", "__name__", "up", "empty", "", "cluster", "other"), chunk(2, 0, 100)));
        frame(stream, series(List.of("__name__", "up", "job", "c"))); // no chunks
        frame(stream, series(List.of("__name__", "up", "job", "d"), chunk(1, 5_000, 6_000))); // outside [0, 1000]
        // one series over three frames, its chunks out of order across them; two series in one frame
        frame(stream, series(List.of("__name__", "up", "job", "e"), chunk(1, 300, 400), chunk(1, 500, 600)));
        frame(stream, series(List.of("__name__", "up", "job", "e"), chunk(1, 0, 100)));
        frame(stream, series(List.of("__name__", "up", "job", "e"), chunk(1, 700, 800)),
                series(List.of("__name__", "up", "job", "f", "unicode", "日本-ü"), chunk(3, 0, 100)));
        byte[] answer = stream.toByteArray();
        Labels external = Labels.of("cluster", "eu-1", "replica", "r1");

        for (boolean hashes : new boolean[] {false, true}) {
            assertSameAnswers(() -> frames(answer), external, hashes, StoreLimits.NONE, requests(0, 1000));
        }
        // the request's own limit left out: the decoded path may read one series further before it stops (see SeriesEncoder)
        List<SeriesRequest> unlimited = requests(0, 1000).stream().filter(request -> request.getLimit() == 0).toList();
        assertSameAnswers(() -> frames(answer), external, false, new StoreLimits(3, 0), unlimited);
        assertSameAnswers(() -> frames(answer), external, false, new StoreLimits(0, 700), unlimited);
    }

    @Test
    void damagedFramesFailTheSameWay() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(List.of("__name__", "up", "job", "a"), chunk(1, 0, 100)));
        byte[] good = stream.toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        stream.write("expanding series: context canceled\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] errorText = stream.toByteArray();
        ByteArrayOutputStream unknownType = new ByteArrayOutputStream();
        frame(unknownType, series(List.of("__name__", "up"), chunk(0, 0, 100)));
        ByteArrayOutputStream notAMessage = new ByteArrayOutputStream();
        writeFrame(notAMessage, new byte[] {0x0A, 0x7F, 0x01});
        for (byte[] answer : List.of(truncated, errorText, unknownType.toByteArray(), notAMessage.toByteArray())) {
            Object decoded = answer(serve(new FramesSource(() -> frames(answer), Labels.of("cluster", "c"), false), StoreLimits.NONE, false),
                    requests(0, 1000).getFirst());
            Object encoded = answer(serve(new FramesSource(() -> frames(answer), Labels.of("cluster", "c"), true), StoreLimits.NONE, false),
                    requests(0, 1000).getFirst());
            // protobuf's own parse messages are not repeated word for word
            String invalid = "(is not a valid ChunkedReadResponse: ).*";
            assertThat(encoded.toString().replaceAll(invalid, "$1...")).isEqualTo(decoded.toString().replaceAll(invalid, "$1..."))
                    .contains("prometheus " + PROMETHEUS);
        }
    }

    @Test
    void dataFromARealPrometheusGivesTheSameBytes(@TempDir Path directory) throws Exception {
        try (PrometheusWithData data = PrometheusWithData.start(directory, null);
                PrometheusClient client = new PrometheusClient(data.prometheus().url(), Duration.ofSeconds(60))) {
            Labels external = Labels.of("cluster", "eu-1", "prometheus_replica", "prom-0");
            RemoteReadSource encoded = new RemoteReadSource(client, external);
            ChunkSource decoded = new DecodedOnly(encoded);
            for (boolean hashes : new boolean[] {false, true}) {
                ManagedChannel decodedChannel = serve(decoded, StoreLimits.NONE, hashes);
                ManagedChannel encodedChannel = serve(encoded, StoreLimits.NONE, hashes);
                for (SeriesRequest request : requests(PrometheusWithData.DATA_START + 3_600_000, PrometheusWithData.DATA_END)) {
                    Object expected = answer(decodedChannel, request);
                    assertThat(answer(encodedChannel, request)).as("answer to %s", request).isEqualTo(expected);
                }
            }
        }
    }

    private void assertSameAnswers(Supplier<ChunkedReadFrames> answer, Labels external, boolean hashes, StoreLimits limits,
            List<SeriesRequest> requests) throws Exception {
        ManagedChannel decoded = serve(new FramesSource(answer, external, false), limits, hashes);
        ManagedChannel encoded = serve(new FramesSource(answer, external, true), limits, hashes);
        for (SeriesRequest request : requests) {
            Object expected = answer(decoded, request);
            assertThat(answer(encoded, request)).as("answer to %s", request).isEqualTo(expected);
        }
    }

    private static List<SeriesRequest> requests(long min, long max) {
        List<SeriesRequest> out = new ArrayList<>();
        for (int batch : new int[] {0, 2, 64}) {
            out.add(request(min, max).setResponseBatchSize(batch).build());
        }
        out.add(request(min, max).setLimit(2).build());
        out.add(request(min, max).addWithoutReplicaLabels("replica").addWithoutReplicaLabels("prometheus_replica").setResponseBatchSize(3).build());
        return out;
    }

    private static SeriesRequest.Builder request(long min, long max) {
        return SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("__name__").setValue(".+"));
    }

    /** The responses' bytes as hex, or the error's status. */
    private static Object answer(ManagedChannel channel, SeriesRequest request) {
        List<String> out = new ArrayList<>();
        Throwable error = catchThrowable(() -> ClientCalls.blockingServerStreamingCall(channel, TestServers.RAW_SERIES, CallOptions.DEFAULT, request)
                .forEachRemaining(response -> out.add(HexFormat.of().formatHex(response.toByteArray()))));
        if (error instanceof StatusRuntimeException status) {
            return status.getStatus().getCode() + ": " + status.getStatus().getDescription();
        }
        assertThat(error).isNull();
        out.forEach(hex -> assertThat(catchThrowable(() -> SeriesResponse.parseFrom(HexFormat.of().parseHex(hex)))).isNull());
        return out;
    }

    private ManagedChannel serve(ChunkSource source, StoreLimits limits, boolean hashes) throws IOException {
        return servers.loopback(new StoreServer(source, limits, hashes).services());
    }

    private static ChunkedReadFrames frames(byte[] answer) {
        return ChunkedReadFrames.of(new ByteArrayInputStream(answer), PROMETHEUS, 1 << 20);
    }

    /** A remote read answer held in memory, served decoded or transcoded; Prometheus' external label names stripped. */
    /** A test source of series only: a sidecar with these external labels and no label API. */
    private interface SeriesOnlySource extends ChunkSource, EncodedSeriesSource {
        Labels external();

        @Override
        default SourceInfo info() {
            return SourceInfo.of("sidecar", external(), 0, Long.MAX_VALUE);
        }

        @Override
        default List<String> labelNames(LabelQuery query) {
            return List.of();
        }

        @Override
        default List<String> labelValues(String name, LabelQuery query) {
            return List.of();
        }
    }

    private record FramesSource(Supplier<ChunkedReadFrames> answer, Labels external, boolean transcoded) implements SeriesOnlySource {
        @Override
        public EncodedSeriesStream encodedSeries(StoreQuery query, SeriesEncoder encoder) {
            return transcoded ? new ChunkedReadTranscoder(answer.get(), PROMETHEUS, Set.of("cluster"), encoder) : null;
        }

        @Override
        public ChunkSeriesSet series(StoreQuery query) {
            return new ChunkedReadSeriesSet(answer.get(), PROMETHEUS, Set.of("cluster"));
        }

    }

    /** Remote read from a real Prometheus, as a sidecar serves it: transcoded, or decoded through {@link DecodedOnly}. */
    private record RemoteReadSource(PrometheusClient client, Labels external) implements SeriesOnlySource {
        @Override
        public EncodedSeriesStream encodedSeries(StoreQuery query, SeriesEncoder encoder) throws StorageException {
            return client.remoteReadEncoded(query.minTime(), query.maxTime(), query.matchers(), external.toMap().keySet(), encoder);
        }

        @Override
        public ChunkSeriesSet series(StoreQuery query) throws StorageException {
            return client.remoteRead(query.minTime(), query.maxTime(), query.matchers(), external.toMap().keySet(),
                    PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS);
        }

    }

    /** A source's {@link ChunkSource} side alone: the decoded path. */
    private record DecodedOnly(ChunkSource source) implements ChunkSource {
        @Override
        public SourceInfo info() {
            return source.info();
        }

        @Override
        public ChunkSeriesSet series(StoreQuery query) throws StorageException {
            return source.series(query);
        }

        @Override
        public List<String> labelNames(LabelQuery query) throws StorageException {
            return source.labelNames(query);
        }

        @Override
        public List<String> labelValues(String name, LabelQuery query) throws StorageException {
            return source.labelValues(name, query);
        }
    }

    private static ChunkedSeries series(List<String> labels, Chunk... chunks) {
        ChunkedSeries.Builder series = ChunkedSeries.newBuilder();
        for (int i = 0; i < labels.size(); i += 2) {
            series.addLabels(Label.newBuilder().setName(labels.get(i)).setValue(labels.get(i + 1)));
        }
        return series.addAllChunks(List.of(chunks)).build();
    }

    private static Chunk chunk(int type, long min, long max) {
        XorChunkAppender appender = new XorChunkAppender();
        appender.append(min, min);
        appender.append(max, max / 2.0);
        return Chunk.newBuilder().setMinTimeMs(min).setMaxTimeMs(max).setTypeValue(type).setData(ByteString.copyFrom(appender.toByteArray())).build();
    }
}
