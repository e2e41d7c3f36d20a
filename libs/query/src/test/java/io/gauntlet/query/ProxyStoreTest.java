package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.Func;
import io.gauntlet.proto.thanos.Grouping;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.QueryHints;
import io.gauntlet.proto.thanos.Range;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.QuerierFixture;
import io.gauntlet.query.testing.RecordingChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.query.testing.UnavailableSource;
import io.gauntlet.store.Aggregate;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The querier as a store: a querier (endpoint set + proxy store + StoreServer, as services/querier wires them) over an
 * HA pair, a store whose backend is down and a rules-only endpoint, asked over gRPC as an upper querier asks it.
 */
class ProxyStoreTest {
    private static final List<LabelMatcher> UP = List.of(LabelMatcher.equal("__name__", "up"));
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static StoreFixture replicaA;
    private static StoreFixture replicaB;
    private static StoreFixture down;
    private static StoreFixture rulesOnly;
    private static QuerierFixture querier;
    private static StoreClient client;

    @BeforeAll
    static void start() throws Exception {
        replicaA = StoreFixture.serve(replica("a", 0));
        replicaB = StoreFixture.serve(replica("b", 1000));
        down = StoreFixture.serve(new UnavailableSource(Labels.of("cluster", "down"), 0, 600_000, null));
        rulesOnly = StoreFixture.infoOnly("rule", Labels.of("cluster", "rules"));
        querier = QuerierFixture.over(List.of(replicaA.address(), replicaB.address(), down.address(),
                rulesOnly.address()));
        client = StoreClient.connect(querier.address(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        querier.close();
        for (StoreFixture store : List.of(replicaA, replicaB, down, rulesOnly)) {
            store.close();
        }
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    /** Three {@code up} series scraped every 15 s for 10 minutes; replica b's values are offset so its chunks differ. */
    private static MemoryChunkSource replica(String replica, double offset) {
        MemoryChunkSource source = new MemoryChunkSource("sidecar", Labels.of("cluster", "eu", "replica", replica));
        long[] timestamps = new long[40];
        double[] values = new double[40];
        for (int i = 0; i < 40; i++) {
            timestamps[i] = 15_000L * i;
            values[i] = offset + i;
        }
        for (int instance = 0; instance < 3; instance++) {
            source.add(Labels.of("__name__", "up", "instance", "i" + instance), timestamps, values);
        }
        return source;
    }

    private static SeriesRequest.Builder upRequest(PartialResponseStrategy strategy) {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(600_000).addAllMatchers(StoreWire.toWireMatchers(UP))
                .setPartialResponseStrategy(strategy).setPartialResponseDisabled(strategy == PartialResponseStrategy.ABORT);
    }

    private record Read(List<Labels> labels, List<Integer> chunks, List<String> warnings) {
    }

    private static Read read(StoreSeriesSet set) throws StorageException {
        List<Labels> labels = new ArrayList<>();
        List<Integer> chunks = new ArrayList<>();
        try (set) {
            while (set.next()) {
                labels.add(set.labels());
                chunks.add(set.chunks().size());
            }
            return new Read(labels, chunks, set.warnings());
        }
    }

    @Test
    void infoIsAQuerysUnionOfItsStores() throws StoreException {
        InfoResponse info = client.info();
        assertThat(info.getComponentType()).isEqualTo("query");
        assertThat(info.getLabelSetsList()).extracting(set -> StoreWire.fromWire(set.getLabelsList()).toString())
                .containsExactly("{cluster=\"down\"}", "{cluster=\"eu\", replica=\"a\"}", "{cluster=\"eu\", replica=\"b\"}");
        assertThat(info.getStore().getMinTime()).isEqualTo(0);
        assertThat(info.getStore().getMaxTime()).isEqualTo(600_000);
        assertThat(info.getStore().getSupportsWithoutReplicaLabels()).isTrue();
        // the rules-only endpoint is healthy, just not a store
        assertThat(querier.endpoints().statuses()).filteredOn(s -> s.componentType().equals("rule"))
                .singleElement().satisfies(s -> assertThat(s.healthy()).isTrue());
    }

    @Test
    void seriesOfEveryStoreMergedInOrderNotDeduplicated() throws StorageException {
        Read read = read(client.series(upRequest(PartialResponseStrategy.WARN).build()));
        assertThat(read.labels()).hasSize(6).isSorted().doesNotHaveDuplicates();
        assertThat(read.labels()).filteredOn(l -> l.get("replica").equals("a")).hasSize(3);
        assertThat(read.labels().getFirst()).hasToString("up{cluster=\"eu\", instance=\"i0\", replica=\"a\"}");
        // the failed store is a warning; the rules-only endpoint was never asked
        assertThat(read.warnings()).singleElement().asString().contains(down.address(), "prometheus behind this sidecar is down");
        assertThat(String.join(" ", read.warnings())).doesNotContain(rulesOnly.address());
    }

    @Test
    void abortStrategyFailsTheCall() {
        assertThatThrownBy(() -> read(client.series(upRequest(PartialResponseStrategy.ABORT).build())))
                .isInstanceOf(StoreException.class).satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("ABORTED"))
                .hasMessageContaining("prometheus behind this sidecar is down");
    }

    @Test
    void withoutReplicaLabelsTheReplicasMergeIntoOneSeriesWithBothChunks() throws StorageException {
        Read read = read(client.series(upRequest(PartialResponseStrategy.WARN).addWithoutReplicaLabels("replica").build()));
        assertThat(read.labels()).extracting(Labels::toString).containsExactly(
                "up{cluster=\"eu\", instance=\"i0\"}", "up{cluster=\"eu\", instance=\"i1\"}", "up{cluster=\"eu\", instance=\"i2\"}");
        assertThat(read.chunks()).containsOnly(2); // one chunk from each replica: the querier above deduplicates them
    }

    @Test
    void limitBatchesAndSkipChunksArePassedOn() throws StorageException {
        Read limited = read(client.series(upRequest(PartialResponseStrategy.WARN).setLimit(2).setResponseBatchSize(4).build()));
        assertThat(limited.labels()).hasSize(2);
        Read labelsOnly = read(client.series(upRequest(PartialResponseStrategy.WARN).setSkipChunks(true).setResponseBatchSize(4).build()));
        assertThat(labelsOnly.labels()).hasSize(6);
        assertThat(labelsOnly.chunks()).containsOnly(0);
    }

    @Test
    void theRestOfTheRequestReachesTheStores() throws Exception {
        RecordingChunkSource source = new RecordingChunkSource(replica("c", 0));
        StoreFixture recording = StoreFixture.serve(source);
        open.add(recording);
        QuerierFixture over = QuerierFixture.over(List.of(recording.address()));
        open.add(over);
        try (StoreClient overClient = StoreClient.connect(over.address(), Duration.ofSeconds(10))) {
            read(overClient.series(upRequest(PartialResponseStrategy.ABORT).setLimit(2).setMaxResolutionWindow(300_000)
                    .addAggregates(Aggr.COUNT).addAggregates(Aggr.SUM).addWithoutReplicaLabels("replica")
                    .setQueryHints(QueryHints.newBuilder().setStepMillis(60_000).setFunc(Func.newBuilder().setName("rate"))
                            .setRange(Range.newBuilder().setMillis(300_000)).setGrouping(Grouping.newBuilder().setBy(true).addLabels("job")))
                    .build()));
        }
        StoreQuery query = source.asked();
        assertThat(query.maxResolutionWindow()).isEqualTo(300_000);
        assertThat(query.aggregates()).containsExactly(Aggregate.COUNT, Aggregate.SUM);
        assertThat(query.partialResponse()).isEqualTo(PartialResponse.ABORT);
        assertThat(query.withoutReplicaLabels()).containsExactly("replica");
        assertThat(query.limit()).isEqualTo(2);
        SelectHints hints = query.hints();
        assertThat(List.of(hints.start(), hints.end(), hints.step(), hints.range())).containsExactly(0L, 600_000L, 60_000L, 300_000L);
        assertThat(hints.function()).isEqualTo("rate");
        assertThat(hints.grouping()).containsExactly("job");
        assertThat(hints.by()).isTrue();
    }

    @Test
    void requestLimitsOfTheQuerierItself() throws Exception {
        QuerierFixture limited = QuerierFixture.start(() -> List.of(replicaA.address(), replicaB.address()), new StoreLimits(4, 0));
        open.add(limited);
        limited.refresh();
        try (StoreClient limitedClient = StoreClient.connect(limited.address(), Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> read(limitedClient.series(upRequest(PartialResponseStrategy.WARN).build())))
                    .isInstanceOf(StoreException.class).satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("RESOURCE_EXHAUSTED"))
                    .hasMessageContaining("series limit");
        }
    }

    @Test
    void labelNamesAndValuesWithPartialResponse() throws StoreException {
        var names = client.labelNames(LabelNamesRequest.newBuilder().setStart(0).setEnd(600_000)
                .setPartialResponseStrategy(PartialResponseStrategy.WARN).build());
        assertThat(names.getNamesList()).containsExactly("__name__", "cluster", "instance", "replica");
        assertThat(names.getWarningsList()).singleElement().asString().contains("prometheus behind this sidecar is down");
        var withoutReplica = client.labelNames(LabelNamesRequest.newBuilder().setStart(0).setEnd(600_000)
                .addWithoutReplicaLabels("replica").build());
        assertThat(withoutReplica.getNamesList()).containsExactly("__name__", "cluster", "instance");
        var values = client.labelValues(LabelValuesRequest.newBuilder().setLabel("replica").setStart(0).setEnd(600_000).build());
        assertThat(values.getValuesList()).containsExactly("a", "b");
        assertThatThrownBy(() -> client.labelValues(LabelValuesRequest.newBuilder().setLabel("instance").setStart(0).setEnd(600_000)
                .setPartialResponseDisabled(true).setPartialResponseStrategy(PartialResponseStrategy.ABORT).build()))
                .isInstanceOf(StoreException.class).hasMessageContaining("ABORTED");
    }

    @Test
    void deduplicatingAboveTheQuerierEqualsDeduplicatingOverTheStores() throws Exception {
        List<StoreFanOut.Endpoint> stores = new ArrayList<>();
        List<StoreFanOut.Endpoint> viaQuerier = new ArrayList<>();
        for (StoreFixture store : List.of(replicaA, replicaB)) {
            StoreClient storeClient = StoreClient.connect(store.address(), Duration.ofSeconds(10));
            open.add(storeClient);
            stores.add(new StoreFanOut.Endpoint(storeClient, storeClient.info()));
        }
        viaQuerier.add(new StoreFanOut.Endpoint(client, client.info()));
        StoreQueryable.Options dedup = StoreQueryable.Options.defaults(List.of("replica"));
        assertThat(samples(new StoreQueryable(() -> viaQuerier, dedup)))
                .isEqualTo(samples(new StoreQueryable(() -> stores, dedup)))
                .hasSize(3);
    }

    /** Every deduplicated series of {@code up} as its labels and samples. */
    private static List<String> samples(StoreQueryable queryable) throws StorageException {
        List<String> out = new ArrayList<>();
        try (var q = queryable.querier(0, 600_000)) {
            SeriesSet set = q.select(true, null, List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("cluster", "eu")));
            while (set.next()) {
                StringBuilder series = new StringBuilder(set.at().labels().toString());
                SampleIterator samples = set.at().iterator(null);
                while (samples.next()) {
                    series.append(' ').append(samples.timestamp()).append('=').append(samples.value());
                }
                out.add(series.toString());
            }
            assertThat(set.warnings()).isEmpty();
        }
        return out;
    }
}
