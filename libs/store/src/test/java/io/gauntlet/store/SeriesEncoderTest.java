package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.store.testing.TestServers;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The encoded Series path ({@link EncodedSeriesSource} → {@link SeriesEncoder}) against the decoded one
 * ({@link ChunkSource#series} → relabeling → {@link EncodedSeriesResponse}): the same data and requests give the same
 * response bytes, the same errors.
 */
class SeriesEncoderTest {

    private final TestServers servers = new TestServers();
    private final Random random = new Random(7);

    @AfterEach
    void stop() {
        servers.close();
    }

    @Test
    void benchLikeDataEncodesToTheSameBytes() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("cluster", "eu-1", "prometheus_replica", "prom-0"));
        for (int i = 0; i < 120; i++) {
            List<EncodedChunk> chunks = new ArrayList<>();
            for (int c = 0; c < 1 + random.nextInt(15); c++) {
                chunks.add(FakeChunkSource.realXor(c * 1_800_000L, c * 1_800_000L + 1_785_000, 120, i * 1000 + c));
            }
            data.add(Labels.of("__name__", i % 3 == 0 ? "node_cpu_seconds_total" : "http_requests_total", "instance", "host-" + (i % 7) + ":9100",
                    "job", "node", "series", Integer.toString(i)), chunks.toArray(EncodedChunk[]::new));
        }
        assertSameAnswers(data, 3, false, StoreLimits.NONE, requests(0, 30_000_000));
        assertSameAnswers(data, 1, true, StoreLimits.NONE, requests(2_000_000, 9_000_000));
    }

    @Test
    void externalLabelsReorderingSeriesOverridingThemAndEmptySeries() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("region", "eu", "replica", "r1"))
                .add(Labels.of("__name__", "foo", "job", "a"), FakeChunkSource.xor(0, 10, 1, 1))
                .add(Labels.of("__name__", "foo", "job", "a", "pod", "p"), FakeChunkSource.xor(0, 10, 1, 2))
                .add(Labels.of("__name__", "foo", "job", "a", "pod", "p", "x", "1"), FakeChunkSource.xor(0, 10, 1, 3))
                .add(Labels.of("__name__", "foo", "job", "a", "pod", "q"), FakeChunkSource.xor(0, 10, 1, 4))
                .add(Labels.of("__name__", "foo", "job", "a", "zone", "z"), FakeChunkSource.xor(0, 10, 1, 5))
                .add(Labels.of("__name__", "foo", "job", "b"), FakeChunkSource.xor(500, 600, 1, 6)) // nothing in range
                .add(Labels.of("__name__", "foo", "job", "c"), FakeChunkSource.xor(0, 10, 1, 7), FakeChunkSource.xor(500, 600, 1, 8))
                .add(Labels.of("__name__", "foo", "job", "d"))
                .add(Labels.of("__name__", "foo", "job", "e", "region", "us"), FakeChunkSource.xor(0, 10, 1, 9)) // region overridden
                .add(Labels.of("__name__", "foo", "job", "f"), FakeChunkSource.xor(0, 10, 1, 10));
        for (int partSize : new int[] {1, 100}) {
            assertSameAnswers(data, partSize, false, StoreLimits.NONE, requests(0, 20));
        }
    }

    @Test
    void seriesSplitOverPartsAreJoined() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("cluster", "c"))
                .add(Labels.of("__name__", "a"), FakeChunkSource.xor(0, 10, 1, 1), FakeChunkSource.xor(20, 30, 1, 2), FakeChunkSource.xor(35, 39, 1, 3),
                        FakeChunkSource.xor(40, 50, 1, 4), FakeChunkSource.xor(60, 70, 1, 5))
                .add(Labels.of("__name__", "b"), FakeChunkSource.xor(0, 10, 1, 5), FakeChunkSource.xor(11, 20, 1, 6));
        assertSameAnswers(data, 2, true, StoreLimits.NONE, requests(0, 100));
    }

    @Test
    void largeSeriesOutgrowTheBufferWhileInProcessResponsesStillReadIt() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("cluster", "c"));
        for (int i = 0; i < 7; i++) {
            byte[] big = new byte[300_000 + i];
            random.nextBytes(big);
            big[0] = 0;
            big[1] = 120; // sample count header
            data.add(Labels.of("__name__", "m", "i", Integer.toString(i)), new EncodedChunk(0, 10, 1, big), new EncodedChunk(11, 20, 1, big));
        }
        assertSameAnswers(data, 1, true, StoreLimits.NONE, requests(0, 20));
    }

    @Test
    void limitsFailTheSameWay() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("cluster", "c"));
        for (int i = 0; i < 10; i++) {
            data.add(Labels.of("__name__", "m", "i", Integer.toString(i)), FakeChunkSource.xor(0, 10, 100, i), FakeChunkSource.xor(20, 30, 100, i));
        }
        assertSameAnswers(data, 1, false, new StoreLimits(4, 0), requests(0, 100));
        assertSameAnswers(data, 1, false, new StoreLimits(0, 950), requests(0, 100));
        assertSameAnswers(data, 1, false, new StoreLimits(0, 950), requests(0, 15)); // only chunks in range count
    }

    @Test
    void replicaLabelsThatAreNotExternalAndSkipChunksKeepTheDecodedPath() throws Exception {
        FakeChunkSource data = new FakeChunkSource(Labels.of("cluster", "c"))
                .add(Labels.of("__name__", "m", "replica", "a"), FakeChunkSource.xor(0, 10, 1, 1))
                .add(Labels.of("__name__", "m", "replica", "b"), FakeChunkSource.xor(0, 10, 1, 2));
        EncodedFake encoded = new EncodedFake(data, 1);
        ManagedChannel channel = serve(new StoreServer(encoded));

        List<byte[]> merged = call(channel, request(0, 20).addWithoutReplicaLabels("replica").build());
        List<byte[]> skipped = call(channel, request(0, 20).setSkipChunks(true).build());

        assertThat(encoded.opened).isFalse();
        assertThat(merged).hasSize(1);
        assertThat(skipped).hasSize(2);
    }

    /** Requests covering batching, the request's limit, external label matchers and replica label removal. */
    private static List<SeriesRequest> requests(long min, long max) {
        List<SeriesRequest> out = new ArrayList<>();
        for (int batch : new int[] {0, 1, 2, 64}) {
            out.add(request(min, max).setResponseBatchSize(batch).build());
            out.add(request(min, max).setResponseBatchSize(batch).setLimit(3).build());
        }
        out.add(request(min, max).addWithoutReplicaLabels("replica").addWithoutReplicaLabels("prometheus_replica").build());
        out.add(request(min, max).addWithoutReplicaLabels("region").addWithoutReplicaLabels("cluster").setResponseBatchSize(5).build());
        out.add(request(min, max).addMatchers(LabelMatcher.newBuilder().setName("cluster").setValue("nope")).build());
        return out;
    }

    private static SeriesRequest.Builder request(long min, long max) {
        return SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("__name__").setValue(".+"));
    }

    private void assertSameAnswers(FakeChunkSource data, int partSize, boolean hashes, StoreLimits limits, List<SeriesRequest> requests)
            throws Exception {
        EncodedFake encoded = new EncodedFake(data, partSize);
        ManagedChannel decodedChannel = serve(new StoreServer(data, limits, hashes));
        ManagedChannel encodedChannel = serve(new StoreServer(encoded, limits, hashes));
        int series = 0;
        for (SeriesRequest request : requests) {
            encoded.opened = false;
            Object expected = answer(decodedChannel, request);
            Object actual = answer(encodedChannel, request);
            assertThat(actual).as("answer to %s", request).isEqualTo(expected);
            List<String> externalNames = data.info().externalLabels().names();
            boolean encodable = externalNames.containsAll(request.getWithoutReplicaLabelsList())
                    && request.getMatchersList().stream().noneMatch(matcher -> externalNames.contains(matcher.getName())); // else empty
            assertThat(encoded.opened).as("the encoded path answered %s", request).isEqualTo(encodable);
            series += expected instanceof List<?> responses ? responses.size() : 0;
        }
        assertThat(series > requests.size() || !limits.equals(StoreLimits.NONE)).as("responses compared").isTrue();
    }

    /** The responses' bytes (as hex, for readable diffs), or the error's status. */
    private static Object answer(ManagedChannel channel, SeriesRequest request) {
        List<String> out = new ArrayList<>();
        Throwable error = catchThrowable(() -> call(channel, request).forEach(bytes -> out.add(java.util.HexFormat.of().formatHex(bytes))));
        if (error instanceof StatusRuntimeException status) {
            return status.getStatus().getCode() + ": " + status.getStatus().getDescription();
        }
        assertThat(error).isNull();
        return out;
    }

    private static List<byte[]> call(ManagedChannel channel, SeriesRequest request) {
        List<byte[]> out = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, TestServers.RAW_SERIES, CallOptions.DEFAULT, request)
                .forEachRemaining(response -> out.add(response.toByteArray()));
        out.forEach(bytes -> assertThat(catchThrowable(() -> SeriesResponse.parseFrom(bytes))).isNull());
        return out;
    }

    private ManagedChannel serve(StoreServer store) throws Exception {
        return servers.inProcess(store.services());
    }

    /**
     * The fake's series through the byte API as a remote read transcoder hands them over: labels from an array with
     * other bytes around them, in shuffled order, with the external labels as Prometheus adds them (to be stripped), and
     * chunks in parts of {@code partSize} (the same labels begun again).
     */
    private final class EncodedFake implements ChunkSource, EncodedSeriesSource {
        private final FakeChunkSource data;
        private final int partSize;
        volatile boolean opened;

        EncodedFake(FakeChunkSource data, int partSize) {
            this.data = data;
            this.partSize = partSize;
        }

        @Override
        public EncodedSeriesStream encodedSeries(StoreQuery query, SeriesEncoder encoder) throws StorageException {
            opened = true;
            ChunkSeriesSet set = data.series(query);
            return () -> {
                if (!set.next()) {
                    return false;
                }
                List<EncodedChunk> chunks = set.chunks();
                for (int from = 0; from == 0 || from < chunks.size(); from += partSize) {
                    beginWithLabels(encoder, set.labels());
                    for (EncodedChunk chunk : chunks.subList(from, Math.min(chunks.size(), from + partSize))) {
                        byte[] padded = new byte[chunk.data().length + 7];
                        System.arraycopy(chunk.data(), 0, padded, 3, chunk.data().length);
                        encoder.chunk(chunk.minTime(), chunk.maxTime(), chunk.encoding(), padded, 3, chunk.data().length);
                    }
                }
                return true;
            };
        }

        private void beginWithLabels(SeriesEncoder encoder, Labels labels) throws StorageException {
            Labels.Builder withExternal = labels.toBuilder();
            data.info().externalLabels().forEach((name, value) -> {
                if (!labels.has(name)) {
                    withExternal.set(name, "from-prometheus");
                }
            });
            Labels all = withExternal.build();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            byte[] bytes = new byte[4096];
            encoder.beginSeries();
            int at = 5;
            for (int i : order) {
                byte[] name = all.name(i).getBytes(StandardCharsets.UTF_8);
                byte[] value = all.value(i).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(name, 0, bytes, at, name.length);
                System.arraycopy(value, 0, bytes, at + name.length + 2, value.length);
                encoder.label(bytes, at, name.length, at + name.length + 2, value.length);
                at += name.length + value.length + 4;
            }
        }

        @Override
        public SourceInfo info() {
            return data.info();
        }

        @Override
        public ChunkSeriesSet series(StoreQuery query) throws StorageException {
            return data.series(query);
        }

        @Override
        public List<String> labelNames(LabelQuery query) {
            return data.labelNames(query);
        }

        @Override
        public List<String> labelValues(String name, LabelQuery query) {
            return data.labelValues(name, query);
        }
    }
}
