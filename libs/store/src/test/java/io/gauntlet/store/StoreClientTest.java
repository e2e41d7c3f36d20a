package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.store.testing.ThanosStoreCalls;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** StoreClient and ProxySeriesSet against real gRPC servers running the StoreServer adapter. */
class StoreClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final List<Server> servers = new ArrayList<>();
    private final List<StoreClient> clients = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(StoreClient::close);
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    private ManagedChannel channel(String address) {
        ManagedChannel channel = InProcessChannelBuilder.forName(address).build();
        channels.add(channel);
        return channel;
    }

    private StoreClient inProcess(String name, ChunkSource source, int prefetch) throws Exception {
        String address = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(address);
        new StoreServer(source).services().forEach(builder::addService);
        servers.add(builder.build().start());
        StoreClient client = new StoreClient(name, channel(address), TIMEOUT, prefetch, false);
        clients.add(client);
        return client;
    }

    private static SeriesRequest.Builder all() {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("__name__").setValue(".+"));
    }

    private static List<String> drainLabels(StoreSeriesSet set) throws Exception {
        List<String> out = new ArrayList<>();
        while (set.next()) {
            out.add(set.labels().toString());
        }
        return out;
    }

    @Test
    void proxyMergesHaReplicasIntoOneSeriesThatDeduplicates() throws Exception {
        // two Prometheus replicas scraping the same target 5 s apart; replica b misses 40 s..70 s
        FakeChunkSource replicaA = new FakeChunkSource(Labels.of("cluster", "eu", "replica", "a"))
                .add(Labels.of("__name__", "up", "job", "api"), FakeChunkSource.realXor(0, 30_000, 4, 1), FakeChunkSource.realXor(40_000, 90_000, 6, 5))
                .add(Labels.of("__name__", "up", "job", "only-a"), FakeChunkSource.realXor(0, 10_000, 2, 1));
        FakeChunkSource replicaB = new FakeChunkSource(Labels.of("cluster", "eu", "replica", "b"))
                .add(Labels.of("__name__", "up", "job", "api"), FakeChunkSource.realXor(5_000, 35_000, 4, 101), FakeChunkSource.realXor(75_000, 95_000, 3, 108));
        StoreClient a = inProcess("replica-a", replicaA, 4);
        StoreClient b = inProcess("replica-b", replicaB, 4);
        SeriesRequest request = all().addWithoutReplicaLabels("replica").build();

        List<String> labels = new ArrayList<>();
        List<EncodedChunk> apiChunks = null;
        try (ProxySeriesSet merged = new ProxySeriesSet(List.of(a.series(request), b.series(request)), PartialResponse.ABORT)) {
            while (merged.next()) {
                labels.add(merged.labels().toString());
                if (merged.labels().get("job").equals("api")) {
                    apiChunks = merged.chunks();
                }
            }
            assertThat(merged.warnings()).isEmpty();
        }

        assertThat(labels).containsExactly("up{cluster=\"eu\", job=\"api\"}", "up{cluster=\"eu\", job=\"only-a\"}");
        assertThat(apiChunks).extracting(EncodedChunk::minTime).containsExactly(0L, 5_000L, 40_000L, 75_000L);
        // overlapping chunks split back into replicas, decoded, deduplicated: a until its data ends, b after
        assertThat(ChunkMerge.splitOverlapping(apiChunks)).hasSize(2);
        try (ProxySeriesSet merged = new ProxySeriesSet(List.of(a.series(request), b.series(request)), PartialResponse.ABORT)) {
            DeduplicatedSeriesSet deduplicated = new DeduplicatedSeriesSet(merged, false, null, false);
            assertThat(deduplicated.next()).isTrue();
            assertThat(ArraySamples.drain(deduplicated.at().iterator(null))).containsExactly(
                    "0=1", "10000=2", "20000=3", "30000=4", "40000=5", "50000=6", "60000=7", "70000=8", "80000=9", "90000=10");
            assertThat(deduplicated.next()).isTrue();
            assertThat(ArraySamples.drain(deduplicated.at().iterator(null))).containsExactly("0=1", "10000=2");
            assertThat(deduplicated.next()).isFalse();
        }
    }

    @Test
    void partialResponseWarnKeepsTheHealthyStores() throws Exception {
        FakeChunkSource healthy = new FakeChunkSource(Labels.of("replica", "a"))
                .add(Labels.of("__name__", "up"), FakeChunkSource.realXor(0, 10, 2, 1));
        FakeChunkSource down = new FakeChunkSource(Labels.EMPTY);
        down.failWith = new StoreUnavailableException("prometheus 127.0.0.1:9090 not reachable");
        FakeChunkSource breaksMidway = new FakeChunkSource(Labels.EMPTY)
                .add(Labels.of("__name__", "a"), FakeChunkSource.realXor(0, 10, 2, 1))
                .add(Labels.of("__name__", "b"), FakeChunkSource.realXor(0, 10, 2, 1))
                .add(Labels.of("__name__", "c"), FakeChunkSource.realXor(0, 10, 2, 1));
        breaksMidway.failWith = new io.gauntlet.tsdb.CorruptedDataException("01XYZ", "index", 7, "bad magic");
        breaksMidway.failAfter = 2; // "a" is sent (the adapter looks one series ahead), reading "c" fails
        StoreClient nowhere = new StoreClient("nowhere", channel("no-such-server"), TIMEOUT);
        clients.add(nowhere);
        List<StoreSeriesSet> sets = List.of(inProcess("healthy", healthy, 16).series(all().build()), inProcess("down", down, 16).series(all().build()),
                inProcess("midway", breaksMidway, 16).series(all().build()), nowhere.series(all().build()));

        try (ProxySeriesSet merged = new ProxySeriesSet(sets, PartialResponse.WARN)) {
            assertThat(drainLabels(merged)).containsExactly("a{}", "up{replica=\"a\"}");
            assertThat(merged.warnings()).hasSize(3).anySatisfy(w -> assertThat(w).contains("store down: UNAVAILABLE: prometheus 127.0.0.1:9090 not reachable"))
                    .anySatisfy(w -> assertThat(w).contains("store midway: INTERNAL").contains("01XYZ").contains("bad magic"))
                    .anySatisfy(w -> assertThat(w).contains("store nowhere: UNAVAILABLE"));
        }
    }

    @Test
    void partialResponseAbortFailsAndCancelsTheOthers() throws Exception {
        FakeChunkSource big = new FakeChunkSource(Labels.EMPTY);
        for (int i = 0; i < 5_000; i++) {
            big.add(Labels.of("__name__", "m", "i", String.format("%05d", i)), FakeChunkSource.realXor(0, 10, 2, i));
        }
        FakeChunkSource limited = new FakeChunkSource(Labels.EMPTY)
                .add(Labels.of("__name__", "a"), FakeChunkSource.realXor(0, 10, 2, 1))
                .add(Labels.of("__name__", "b"), FakeChunkSource.realXor(0, 10, 2, 1));
        String address = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(address);
        new StoreServer(limited, new StoreLimits(1, 0), false).services().forEach(builder::addService);
        servers.add(builder.build().start());
        StoreClient limitedClient = new StoreClient("limited", channel(address), TIMEOUT);
        clients.add(limitedClient);

        ProxySeriesSet merged = new ProxySeriesSet(List.of(inProcess("big", big, 2).series(all().build()), limitedClient.series(all().build())),
                PartialResponse.ABORT);

        assertThatThrownBy(() -> drainLabels(merged)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.store()).isEqualTo("limited");
            assertThat(e.code()).isEqualTo("RESOURCE_EXHAUSTED");
            assertThat(e.getMessage()).contains("series limit");
        });
        await().atMost(Duration.ofSeconds(5)).until(big.closed::get);
        assertThat(big.pulled.get()).isLessThan(5_000);
    }

    @Test
    void slowReaderHoldsTheRemoteStoreBackOverARealSocket() throws Exception {
        // 20,000 series of 2 KiB each: 40 MiB, five times the most HTTP/2 flow control lets grpc-java's client window
        // grow to (8 MiB with BDP auto-tuning), so the whole answer can never sit in buffers however slow the machine
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu"));
        EncodedChunk bulky = FakeChunkSource.opaque(0, 1_190_000, 120, 2048);
        for (int i = 0; i < 20_000; i++) {
            source.add(Labels.of("__name__", "m", "i", String.format("%06d", i)), bulky);
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        new StoreServer(source).services().forEach(builder::addService);
        Server server = builder.build().start();
        servers.add(server);
        StoreClient client = StoreClient.connect("127.0.0.1:" + server.getPort(), TIMEOUT);
        clients.add(client);

        StoreSeriesSet set = client.series(all().setResponseBatchSize(4).build());
        assertThat(set.next()).isTrue();
        assertThat(set.labels()).isEqualTo(Labels.of("__name__", "m", "i", "000000", "cluster", "eu"));
        // HTTP/2 windows buffer some, but the source stops far short of the whole answer
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> source.pulled.get() < 10_000);
        int read = 1;
        while (read < 100 && set.next()) {
            read++;
        }
        set.close();
        await().atMost(Duration.ofSeconds(5)).until(source.closed::get);
        assertThat(source.pulled.get()).isLessThan(20_000);
    }

    @Test
    void aQuerierCanServeItsMergedAnswerAsAStoreWithWarnings() throws Exception {
        FakeChunkSource healthy = new FakeChunkSource(Labels.of("cluster", "eu"))
                .add(Labels.of("__name__", "up"), FakeChunkSource.realXor(0, 10, 2, 1));
        FakeChunkSource down = new FakeChunkSource(Labels.EMPTY);
        down.failWith = new StoreUnavailableException("bucket unreachable");
        StoreClient healthyClient = inProcess("healthy", healthy, 4);
        StoreClient downClient = inProcess("down", down, 4);
        // a source that proxies two stores, as a querier serving the StoreAPI does
        ChunkSource proxy = new ChunkSource() {
            @Override
            public SourceInfo info() {
                return SourceInfo.of("query", Labels.EMPTY, 0, 100);
            }

            @Override
            public io.gauntlet.tsdb.storage.ChunkSeriesSet series(StoreQuery query) {
                SeriesRequest request = SeriesRequest.newBuilder().setMinTime(query.minTime()).setMaxTime(query.maxTime())
                        .addAllMatchers(StoreWire.toWireMatchers(query.matchers())).build();
                return new ProxySeriesSet(List.of(healthyClient.series(request), downClient.series(request)), PartialResponse.WARN);
            }

            @Override
            public List<String> labelNames(LabelQuery query) {
                return List.of();
            }

            @Override
            public List<String> labelValues(String name, LabelQuery query) {
                return List.of();
            }
        };
        StoreClient querier = inProcess("querier", proxy, 4);

        try (StoreSeriesSet set = querier.series(all().build())) {
            assertThat(drainLabels(set)).containsExactly("up{cluster=\"eu\"}");
            assertThat(set.warnings()).singleElement().asString()
                    .isEqualTo("store querier: store down: UNAVAILABLE: bucket unreachable");
        }
    }

    @Test
    void fanOutAsksOnlyStoresThatMayHoldTheSeries() throws Exception {
        FakeChunkSource eu = new FakeChunkSource(SourceInfo.of("sidecar", Labels.of("cluster", "eu"), 0, 1000))
                .add(Labels.of("__name__", "up"), FakeChunkSource.realXor(0, 10, 2, 1));
        FakeChunkSource us = new FakeChunkSource(SourceInfo.of("sidecar", Labels.of("cluster", "us"), 0, 1000))
                .add(Labels.of("__name__", "up"), FakeChunkSource.realXor(0, 10, 2, 1));
        FakeChunkSource old = new FakeChunkSource(SourceInfo.of("store", Labels.of("cluster", "eu"), -5000, -1000))
                .add(Labels.of("__name__", "up"), FakeChunkSource.realXor(-4000, -3000, 2, 1));
        List<StoreFanOut.Endpoint> endpoints = new ArrayList<>();
        for (FakeChunkSource source : List.of(eu, us, old)) {
            StoreClient client = inProcess(source.info().componentType(), source, 4);
            endpoints.add(new StoreFanOut.Endpoint(client, client.info()));
        }
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(0).setMaxTime(100)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("cluster").setValue("e.*")).build();

        try (ProxySeriesSet merged = StoreFanOut.series(endpoints, request, PartialResponse.ABORT)) {
            assertThat(drainLabels(merged)).containsExactly("up{cluster=\"eu\"}");
        }
        assertThat(eu.lastQuery).isNotNull();
        assertThat(us.lastQuery).isNull(); // its cluster label cannot match
        assertThat(old.lastQuery).isNull(); // its data ends before the request starts
    }

    @Test
    void batchedAnswersAreUnpackedAndUnaryCallsWork() throws Exception {
        FakeChunkSource source = new FakeChunkSource(SourceInfo.of("store", Labels.of("cluster", "eu"), 0, 99));
        for (int i = 0; i < 7; i++) {
            source.add(Labels.of("__name__", "m", "i", Integer.toString(i)), FakeChunkSource.realXor(0, 10, 2, i));
        }
        StoreClient client = inProcess("store", source, 1);

        try (StoreSeriesSet set = client.series(all().setResponseBatchSize(3).build())) {
            assertThat(drainLabels(set)).hasSize(7);
        }
        assertThat(client.info().getComponentType()).isEqualTo("store");
        assertThat(client.labelNames(LabelNamesRequest.newBuilder().setEnd(99).build()).getNamesList()).containsExactly("__name__", "cluster", "i");
        assertThatThrownBy(() -> client.labelValues(io.gauntlet.proto.thanos.LabelValuesRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("INVALID_ARGUMENT"));
    }
    @Test
    void aThanosStoreThatIgnoresBatchingIsReadMessageByMessage() throws Exception {
        // a store as an older Thanos answers: raw descriptors, one series per message whatever the batch size, plus
        // hints, a warning and fields this client does not know
        com.google.protobuf.UnknownFieldSet unknown = com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(77, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("new")).build())
                .build();
        List<SeriesResponse> answer = new ArrayList<>();
        answer.add(SeriesResponse.newBuilder().setHints(com.google.protobuf.Any.newBuilder().setTypeUrl("type.googleapis.com/hintspb.SeriesResponseHints")).build());
        for (int i = 0; i < 300; i++) {
            EncodedChunk chunk = FakeChunkSource.realXor(0, 10_000, 3, i);
            answer.add(SeriesResponse.newBuilder().setSeries(io.gauntlet.proto.thanos.Series.newBuilder()
                    .addAllLabels(StoreWire.toWire(Labels.of("__name__", "up", "i", String.format("%03d", i))))
                    .addChunks(StoreWire.toWire(chunk, true)).setUnknownFields(unknown)).setUnknownFields(unknown).build());
        }
        answer.add(SeriesResponse.newBuilder().setWarning("block 01X unreadable").build());
        List<SeriesRequest> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.grpc.ServerServiceDefinition thanos = io.grpc.ServerServiceDefinition.builder("thanos.Store")
                .addMethod(ThanosStoreCalls.SERIES, io.grpc.stub.ServerCalls.asyncServerStreamingCall((request, responses) -> {
                    received.add(request);
                    answer.forEach(responses::onNext);
                    responses.onCompleted();
                })).build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(thanos).build().start();
        servers.add(server);
        StoreClient client = StoreClient.connect("127.0.0.1:" + server.getPort(), TIMEOUT);
        clients.add(client);

        try (StoreSeriesSet set = client.series(all().setResponseBatchSize(64).build())) {
            List<String> labels = new ArrayList<>();
            List<String> samples = new ArrayList<>();
            while (set.next()) {
                labels.add(set.labels().toString());
                samples.add(ArraySamples.drain(new ChunksSampleIterator(set.chunks(), null)).getLast());
            }
            assertThat(labels).hasSize(300).startsWith("up{i=\"000\"}").endsWith("up{i=\"299\"}");
            assertThat(samples).startsWith("10000=2").endsWith("10000=301");
            assertThat(set.warnings()).containsExactly("store 127.0.0.1:" + server.getPort() + ": block 01X unreadable");
        }
        assertThat(received).singleElement().extracting(SeriesRequest::getResponseBatchSize).isEqualTo(64L);
    }

    @Test
    void aMalformedAnswerFailsTheReadClearlyAndCancelsTheCall() throws Exception {
        byte[] valid = SeriesResponse.newBuilder().setSeries(io.gauntlet.proto.thanos.Series.newBuilder()
                .addAllLabels(StoreWire.toWire(Labels.of("__name__", "up")))).build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 2);
        io.grpc.MethodDescriptor<SeriesRequest, byte[]> rawBytes = ThanosStoreCalls.SERIES.toBuilder(
                io.grpc.protobuf.ProtoUtils.marshaller(SeriesRequest.getDefaultInstance()), new io.grpc.MethodDescriptor.Marshaller<byte[]>() {
                    @Override
                    public java.io.InputStream stream(byte[] value) {
                        return new java.io.ByteArrayInputStream(value);
                    }

                    @Override
                    public byte[] parse(java.io.InputStream stream) {
                        throw new UnsupportedOperationException();
                    }
                }).build();
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        io.grpc.ServerServiceDefinition broken = io.grpc.ServerServiceDefinition.builder("thanos.Store")
                .addMethod(rawBytes, io.grpc.stub.ServerCalls.asyncServerStreamingCall((request, responses) -> {
                    var serverResponses = (io.grpc.stub.ServerCallStreamObserver<byte[]>) responses;
                    serverResponses.setOnCancelHandler(() -> cancelled.set(true));
                    responses.onNext(valid);
                    responses.onNext(truncated);
                    // the stream stays open: only the client's cancel ends it
                })).build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(broken).build().start();
        servers.add(server);
        StoreClient client = StoreClient.connect("127.0.0.1:" + server.getPort(), TIMEOUT);
        clients.add(client);

        StoreSeriesSet set = client.series(all().build());
        assertThat(set.next()).isTrue();
        assertThat(set.labels()).isEqualTo(Labels.of("__name__", "up"));
        assertThatThrownBy(set::next).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.code()).isEqualTo("INVALID_DATA");
            assertThat(e.getMessage()).startsWith("store 127.0.0.1:" + server.getPort() + ": INVALID_DATA: malformed Series response");
        });
        assertThat(set.next()).isFalse();
        await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
    }
}
