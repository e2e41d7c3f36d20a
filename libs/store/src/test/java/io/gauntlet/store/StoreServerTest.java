package io.gauntlet.store;

import io.gauntlet.store.testing.ThanosStoreCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.XxHash64;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.store.testing.TestServers;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter seen from a client calling the Thanos method names over a real (in-process) gRPC server. */
class StoreServerTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    private ManagedChannel serve(StoreServer store) throws Exception {
        return servers.inProcess(store.services());
    }

    private static SeriesRequest.Builder request(long min, long max, LabelMatcher... matchers) {
        return SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max).addAllMatchers(List.of(matchers));
    }

    private static LabelMatcher matcher(LabelMatcher.Type type, String name, String value) {
        return LabelMatcher.newBuilder().setType(type).setName(name).setValue(value).build();
    }

    private static List<SeriesResponse> call(ManagedChannel channel, SeriesRequest request) {
        List<SeriesResponse> out = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, ThanosStoreCalls.SERIES, CallOptions.DEFAULT, request).forEachRemaining(out::add);
        return out;
    }

    private static List<String> labelsOf(List<SeriesResponse> responses) {
        List<String> out = new ArrayList<>();
        for (SeriesResponse response : responses) {
            List<io.gauntlet.proto.thanos.Series> series = response.hasBatch() ? response.getBatch().getSeriesList()
                    : response.hasSeries() ? List.of(response.getSeries()) : List.of();
            series.forEach(s -> out.add(StoreWire.fromWire(s.getLabelsList()).toString()));
        }
        return out;
    }

    @Test
    void seriesCarryExternalLabelsWhichWinAndChunksPassThroughWithStorepbTypes() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu", "replica", "a"))
                .add(Labels.of("__name__", "up", "job", "api", "cluster", "ignored"), FakeChunkSource.realXor(0, 90, 10, 1), FakeChunkSource.realXor(101, 191, 10, 2))
                .add(Labels.of("__name__", "up", "job", "db"), FakeChunkSource.xor(0, 100, 10, 3));
        ManagedChannel channel = serve(new StoreServer(source, StoreLimits.NONE, true));

        List<SeriesResponse> responses = call(channel, request(0, 150, matcher(LabelMatcher.Type.EQ, "__name__", "up")).build());

        assertThat(labelsOf(responses)).containsExactly("up{cluster=\"eu\", job=\"api\", replica=\"a\"}",
                "up{cluster=\"eu\", job=\"db\", replica=\"a\"}");
        io.gauntlet.proto.thanos.Series first = responses.getFirst().getSeries();
        assertThat(first.getChunksList()).hasSize(2);
        Chunk raw = first.getChunks(0).getRaw();
        assertThat(raw.getType()).isEqualTo(Chunk.Encoding.XOR); // TSDB 1 -> storepb 0
        assertThat(raw.getData().toByteArray()).isEqualTo(source.series.firstEntry().getValue().getFirst().data());
        assertThat(raw.getHash()).isEqualTo(XxHash64.hash(raw.getData().toByteArray()));
        XorSampleIterator samples = new XorSampleIterator().reset(raw.getData().toByteArray());
        assertThat(samples.next()).isTrue();
        assertThat(samples.timestamp()).isZero();
        assertThat(samples.value()).isEqualTo(1.0);
        assertThat(source.lastQuery.minTime()).isEqualTo(0);
        assertThat(source.lastQuery.maxTime()).isEqualTo(150);
        assertThat(source.closed).isTrue();
    }

    @Test
    void aggregateChunksBecomeAggrChunkFields() throws Exception {
        byte[] count = FakeChunkSource.realXor(0, 300_000, 3, 1).data();
        byte[] sum = FakeChunkSource.realXor(0, 300_000, 3, 7).data();
        byte[] counter = FakeChunkSource.realXor(0, 300_000, 3, 100).data();
        byte[] aggregate = AggregateChunk.encode(Map.of(AggregateType.COUNT, count, AggregateType.SUM, sum, AggregateType.COUNTER, counter));
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY)
                .add(Labels.of("__name__", "x"), new EncodedChunk(0, 300_000, StoreWire.TSDB_AGGREGATE, aggregate));
        ManagedChannel channel = serve(new StoreServer(source));

        AggrChunk chunk = call(channel, request(0, 1_000_000).setMaxResolutionWindow(300_000).build()).getFirst().getSeries().getChunks(0);

        assertThat(chunk.hasRaw()).isFalse();
        assertThat(chunk.getCount().getData().toByteArray()).isEqualTo(count);
        assertThat(chunk.getSum().getData().toByteArray()).isEqualTo(sum);
        assertThat(chunk.hasMin()).isFalse();
        assertThat(chunk.hasMax()).isFalse();
        assertThat(chunk.getCounter().getData().toByteArray()).isEqualTo(counter);
        assertThat(chunk.getCount().getHash()).isZero(); // hashes are opt-in
        assertThat(source.lastQuery.maxResolutionWindow()).isEqualTo(300_000);
        assertThat(StoreWire.fromWire(chunk).data()).isEqualTo(aggregate);
    }

    @Test
    void externalLabelMatchersAreResolvedByTheAdapter() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu"))
                .add(Labels.of("__name__", "up"), FakeChunkSource.xor(0, 10, 1, 1));
        ManagedChannel channel = serve(new StoreServer(source));

        List<SeriesResponse> other = call(channel, request(0, 10, matcher(LabelMatcher.Type.EQ, "cluster", "us")).build());
        List<SeriesResponse> same = call(channel, request(0, 10, matcher(LabelMatcher.Type.RE, "cluster", "e.*")).build());

        assertThat(other).isEmpty();
        assertThat(labelsOf(same)).containsExactly("up{cluster=\"eu\"}");
        assertThat(source.lastQuery.matchers()).isEmpty(); // the cluster matcher never reached the source
    }

    @Test
    void badRegexIsInvalidArgument() throws Exception {
        ManagedChannel channel = serve(new StoreServer(new FakeChunkSource(Labels.EMPTY)));

        assertThatThrownBy(() -> call(channel, request(0, 10, matcher(LabelMatcher.Type.RE, "job", "a(")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("invalid regular expression").contains("a(");
                });
        assertThatThrownBy(() -> call(channel, request(10, 0).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void withoutReplicaLabelsDropsThemAndMergesReplicas() throws Exception {
        // a store gateway whose series carry their block's labels, two replicas of each series
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY)
                .add(Labels.of("__name__", "up", "job", "a", "replica", "0"), FakeChunkSource.xor(0, 100, 10, 1))
                .add(Labels.of("__name__", "up", "job", "a", "replica", "1"), FakeChunkSource.xor(5, 105, 10, 2), FakeChunkSource.xor(0, 100, 10, 1))
                .add(Labels.of("__name__", "up", "instance", "x", "replica", "1"), FakeChunkSource.xor(0, 100, 10, 4))
                .add(Labels.of("__name__", "up", "replica", "0"), FakeChunkSource.xor(0, 100, 10, 5));
        ManagedChannel channel = serve(new StoreServer(source));

        List<SeriesResponse> responses = call(channel, request(0, 200).addWithoutReplicaLabels("replica").build());

        // {__name__="up"} sorts first once its replica label is gone, although the source sent it last
        assertThat(labelsOf(responses)).containsExactly("up{}", "up{instance=\"x\"}", "up{job=\"a\"}");
        List<AggrChunk> merged = responses.get(2).getSeries().getChunksList();
        assertThat(merged).extracting(AggrChunk::getMinTime).containsExactly(0L, 5L); // identical chunk sent once
    }

    @Test
    void externalLabelsThatReorderSeriesAreSortedBack() throws Exception {
        // Thanos issue 6563: foo{job} < foo{job, pod}, but with region added foo{job, pod, region} < foo{job, region}
        FakeChunkSource source = new FakeChunkSource(Labels.of("region", "eu", "replica", "r1"))
                .add(Labels.of("__name__", "foo", "job", "a"), FakeChunkSource.xor(0, 10, 1, 1))
                .add(Labels.of("__name__", "foo", "job", "a", "pod", "p"), FakeChunkSource.xor(0, 10, 1, 2))
                .add(Labels.of("__name__", "foo", "job", "b"), FakeChunkSource.xor(0, 10, 1, 3));
        ManagedChannel channel = serve(new StoreServer(source));

        List<String> labels = labelsOf(call(channel, request(0, 10).addWithoutReplicaLabels("replica").build()));

        assertThat(labels).containsExactly("foo{job=\"a\", pod=\"p\", region=\"eu\"}", "foo{job=\"a\", region=\"eu\"}",
                "foo{job=\"b\", region=\"eu\"}");
    }

    @Test
    void limitsAreResourceExhaustedNamingTheLimit() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY);
        for (int i = 0; i < 5; i++) {
            source.add(Labels.of("__name__", "m", "i", Integer.toString(i)), FakeChunkSource.xor(0, 10, 100, i));
        }
        ManagedChannel seriesLimited = serve(new StoreServer(source, new StoreLimits(3, 0), false));
        ManagedChannel samplesLimited = serve(new StoreServer(source, new StoreLimits(0, 250), false));

        assertThatThrownBy(() -> call(seriesLimited, request(0, 10).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("series limit").contains("limit 3").contains("store.limits.request-series");
                });
        assertThatThrownBy(() -> call(samplesLimited, request(0, 10).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("samples limit").contains("limit 250");
                });
        assertThat(call(seriesLimited, request(0, 10).setLimit(2).build())).hasSize(2); // the request's own limit truncates
    }

    @Test
    void skipChunksBatchingAndTimeRange() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY);
        for (int i = 0; i < 5; i++) {
            source.add(Labels.of("__name__", "m", "i", Integer.toString(i)), FakeChunkSource.xor(0, 10, 1, i), FakeChunkSource.xor(50, 60, 1, i));
        }
        source.add(Labels.of("__name__", "m", "i", "late"), FakeChunkSource.xor(500, 600, 1, 9));
        ManagedChannel channel = serve(new StoreServer(source));

        List<SeriesResponse> skipped = call(channel, request(0, 20).setSkipChunks(true).build());
        List<SeriesResponse> batched = call(channel, request(0, 20).setResponseBatchSize(2).build());

        assertThat(skipped).hasSize(6).allSatisfy(r -> assertThat(r.getSeries().getChunksCount()).isZero());
        assertThat(source.lastQuery.skipChunks()).isFalse();
        // the series without data in [0, 20] is left out, chunks outside it are dropped
        assertThat(batched).extracting(r -> r.getBatch().getSeriesCount()).containsExactly(2, 2, 1);
        assertThat(batched.getFirst().getBatch().getSeries(0).getChunksList()).extracting(AggrChunk::getMinTime).containsExactly(0L);
    }

    @Test
    void batchesStayUnderAMebibyte() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY);
        byte[] big = new byte[600_000];
        big[1] = 120; // sample count header
        for (int i = 0; i < 5; i++) {
            source.add(Labels.of("__name__", "m", "i", Integer.toString(i)), new EncodedChunk(0, 10, 1, big));
        }
        ManagedChannel channel = serve(new StoreServer(source));

        List<SeriesResponse> batched = call(channel, request(0, 20).setResponseBatchSize(100).build());

        assertThat(batched).extracting(r -> r.getBatch().getSeriesCount()).containsExactly(2, 2, 1);
    }

    @Test
    void infoLabelNamesAndLabelValues() throws Exception {
        FakeChunkSource source = new FakeChunkSource(SourceInfo.of("sidecar", Labels.of("cluster", "eu", "replica", "a"), 1000, 2000))
                .add(Labels.of("__name__", "up", "job", "api"), FakeChunkSource.xor(0, 10, 1, 1))
                .add(Labels.of("__name__", "up", "job", "db", "zone", "z1"), FakeChunkSource.xor(0, 10, 1, 1));
        ManagedChannel channel = serve(new StoreServer(source));

        InfoResponse info = ClientCalls.blockingUnaryCall(channel, ThanosStoreCalls.INFO, CallOptions.DEFAULT, InfoRequest.getDefaultInstance());
        var names = ClientCalls.blockingUnaryCall(channel, ThanosStoreCalls.LABEL_NAMES, CallOptions.DEFAULT,
                LabelNamesRequest.newBuilder().setStart(0).setEnd(10).addWithoutReplicaLabels("replica").build());
        var jobs = ClientCalls.blockingUnaryCall(channel, ThanosStoreCalls.LABEL_VALUES, CallOptions.DEFAULT,
                LabelValuesRequest.newBuilder().setLabel("job").setStart(0).setEnd(10)
                        .addMatchers(matcher(LabelMatcher.Type.NEQ, "zone", "z1")).build());
        var clusters = ClientCalls.blockingUnaryCall(channel, ThanosStoreCalls.LABEL_VALUES, CallOptions.DEFAULT,
                LabelValuesRequest.newBuilder().setLabel("cluster").setStart(0).setEnd(10).build());
        var none = ClientCalls.blockingUnaryCall(channel, ThanosStoreCalls.LABEL_VALUES, CallOptions.DEFAULT,
                LabelValuesRequest.newBuilder().setLabel("job").addMatchers(matcher(LabelMatcher.Type.EQ, "cluster", "us")).build());

        assertThat(info.getComponentType()).isEqualTo("sidecar");
        assertThat(info.getLabelSetsList()).hasSize(1);
        assertThat(StoreWire.fromWire(info.getLabelSets(0).getLabelsList())).isEqualTo(Labels.of("cluster", "eu", "replica", "a"));
        assertThat(info.getStore().getMinTime()).isEqualTo(1000);
        assertThat(info.getStore().getMaxTime()).isEqualTo(2000);
        assertThat(info.getStore().getSupportsWithoutReplicaLabels()).isTrue();
        assertThat(info.hasMetricMetadata()).as("no Metadata API next to this store").isFalse();
        assertThat(names.getNamesList()).containsExactly("__name__", "cluster", "job", "zone");
        assertThat(jobs.getValuesList()).containsExactly("api");
        assertThat(clusters.getValuesList()).containsExactly("eu");
        assertThat(none.getValuesList()).isEmpty();
    }

    @Test
    void sourceErrorsBecomeStatusesWithoutStackTraces() throws Exception {
        FakeChunkSource unavailable = new FakeChunkSource(Labels.EMPTY);
        unavailable.failWith = new StoreUnavailableException("prometheus at 127.0.0.1:9090 refused the connection");
        FakeChunkSource broken = new FakeChunkSource(Labels.EMPTY);
        broken.crashWith = new IllegalStateException("boom");
        FakeChunkSource midStream = new FakeChunkSource(Labels.EMPTY)
                .add(Labels.of("__name__", "a"), FakeChunkSource.xor(0, 1, 1, 1))
                .add(Labels.of("__name__", "b"), FakeChunkSource.xor(0, 1, 1, 1));
        midStream.failWith = new io.gauntlet.tsdb.CorruptedDataException("01ABC", "chunks/000001", 42, "CRC mismatch");
        midStream.failAfter = 1;

        assertThatThrownBy(() -> call(serve(new StoreServer(unavailable)), request(0, 1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("prometheus at 127.0.0.1:9090 refused the connection");
                });
        assertThatThrownBy(() -> call(serve(new StoreServer(broken)), request(0, 1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).contains("boom").doesNotContain("at io.gauntlet");
                });
        List<SeriesResponse> received = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> ClientCalls.blockingServerStreamingCall(serve(new StoreServer(midStream)), ThanosStoreCalls.SERIES,
                CallOptions.DEFAULT, request(0, 1).build()).forEachRemaining(received::add))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).contains("01ABC").contains("CRC mismatch");
                });
        assertThat(midStream.closed).isTrue();
    }

    @Test
    void slowClientHoldsTheSourceBackAndCancellationClosesIt() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu"));
        for (int i = 0; i < 20_000; i++) {
            source.add(Labels.of("__name__", "m", "i", String.format("%06d", i)), FakeChunkSource.xor(0, 10, 1, i));
        }
        ManagedChannel channel = serve(new StoreServer(source));
        List<SeriesResponse> received = new CopyOnWriteArrayList<>();
        AtomicReference<Status> closed = new AtomicReference<>();
        ClientCall<SeriesRequest, SeriesResponse> call = channel.newCall(ThanosStoreCalls.SERIES, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(SeriesResponse message) {
                received.add(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.set(status);
            }
        }, new Metadata());
        call.sendMessage(request(0, 10).build());
        call.halfClose();

        call.request(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
        // the source is pulled only as far as the client asked, plus the reorder window
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> source.pulled.get() <= 5);
        call.request(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 5);
        assertThat(source.pulled.get()).isLessThan(10);

        call.cancel("reader gone", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() != null && source.closed.get());
        assertThat(closed.get().getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(source.pulled.get()).isLessThan(10);
    }
}
