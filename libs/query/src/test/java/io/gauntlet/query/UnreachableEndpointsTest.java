package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store that went down (a cluster cut off, a restarted sidecar) is not left out of answers silently: a query its last
 * Info says it may serve gets a warning naming it with partial response and fails without; a query only other stores
 * can serve does not; an endpoint never reached may serve anything.
 */
class UnreachableEndpointsTest {
    private static final List<LabelMatcher> UP = List.of(LabelMatcher.equal("__name__", "up"));
    private StoreFixture a;
    private String b; // the address of cluster b's store, which is gone
    private String neverUp;
    private EndpointSet endpoints;

    @BeforeEach
    void start() throws Exception {
        a = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "a"))
                .add(Labels.of("__name__", "up", "instance", "a"), new long[] {1000, 2000}, new double[] {1, 1}));
        StoreFixture storeB = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "b"))
                .add(Labels.of("__name__", "up", "instance", "b"), new long[] {1000, 2000}, new double[] {1, 1}));
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            neverUp = "127.0.0.1:" + socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        b = storeB.address();
        endpoints = new EndpointSet(List.of(a.address(), b), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(5));
        endpoints.refresh();
        assertThat(endpoints.healthy()).hasSize(2);
        storeB.close(); // cluster b goes away after it was seen
        endpoints.refresh();
        assertThat(endpoints.healthy()).hasSize(1);
    }

    @AfterEach
    void stop() throws InterruptedException {
        endpoints.close();
        a.close();
    }

    private StoreQueryable queryable(EndpointSet set, boolean partialResponse) {
        return new StoreQueryable(set::healthy, set::unreachable, new StoreQueryable.Options(true, List.of(), partialResponse, 0,
                List.of(), 0), FanOutObserver.NONE);
    }

    private static List<String> instances(SeriesSet set) throws StorageException {
        List<String> out = new ArrayList<>();
        while (set.next()) {
            out.add(set.at().labels().get("instance"));
        }
        return out;
    }

    @Test
    void aQueryTheDownStoreMayServeSaysSoWithPartialResponse() throws Exception {
        try (Querier querier = queryable(endpoints, true).querier(0, 3000)) {
            SeriesSet set = querier.select(true, null, UP);
            assertThat(instances(set)).containsExactly("a");
            assertThat(set.warnings()).singleElement().asString()
                    .startsWith("store " + b + ": UNAVAILABLE: not asked: the endpoint is unreachable")
                    .endsWith("so its series may be missing");
        }
        StoreQueryable.Answer<String> names = queryable(endpoints, true).querier(0, 3000).labelValuesOf("instance", List.of(UP));
        assertThat(names.values()).containsExactly("a");
        assertThat(names.warnings()).singleElement().asString().contains(b, "unreachable");
    }

    @Test
    void withoutPartialResponseTheQueryFails() {
        assertThatThrownBy(() -> {
            try (Querier querier = queryable(endpoints, false).querier(0, 3000)) {
                instances(querier.select(true, null, UP));
            }
        }).isInstanceOf(StorageException.class).hasMessageContaining(b).hasMessageContaining("unreachable");
        assertThatThrownBy(() -> queryable(endpoints, false).querier(0, 3000).labelNamesOf(List.of(UP)))
                .isInstanceOf(StorageException.class).hasMessageContaining(b);
    }

    @Test
    void aQueryOnlyOtherStoresServeHasNoWarning() throws Exception {
        List<LabelMatcher> clusterA = List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("cluster", "a"));
        try (Querier querier = queryable(endpoints, false).querier(0, 3000)) {
            SeriesSet set = querier.select(true, null, clusterA);
            assertThat(instances(set)).containsExactly("a");
            assertThat(set.warnings()).isEmpty();
        }
    }

    @Test
    void oneReplicaOfAnHaPairDownLosesNothingWhenDeduplicating() throws Exception {
        StoreFixture replica1 = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "ha", "replica", "1"))
                .add(Labels.of("__name__", "up", "instance", "h"), new long[] {1000, 2000}, new double[] {1, 1}));
        StoreFixture replica2 = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "ha", "replica", "2"))
                .add(Labels.of("__name__", "up", "instance", "h"), new long[] {1000, 2000}, new double[] {1, 1}));
        String second = replica2.address();
        try (EndpointSet pair = new EndpointSet(List.of(replica1.address(), second), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(5))) {
            pair.refresh();
            replica2.close();
            pair.refresh();
            assertThat(pair.unreachable()).singleElement().satisfies(down -> assertThat(down.name()).isEqualTo(second));
            StoreQueryable deduplicating = new StoreQueryable(pair::healthy, pair::unreachable,
                    new StoreQueryable.Options(true, List.of("replica"), false, 0, List.of(), 0), FanOutObserver.NONE);
            try (Querier querier = deduplicating.querier(0, 3000)) {
                SeriesSet set = querier.select(true, null, UP);
                assertThat(instances(set)).containsExactly("h");
                assertThat(set.warnings()).isEmpty();
            }
            StoreQueryable raw = new StoreQueryable(pair::healthy, pair::unreachable,
                    new StoreQueryable.Options(false, List.of("replica"), true, 0, List.of(), 0), FanOutObserver.NONE);
            try (Querier querier = raw.querier(0, 3000)) {
                SeriesSet set = querier.select(true, null, UP);
                assertThat(instances(set)).containsExactly("h");
                assertThat(set.warnings()).singleElement().asString().contains(second, "unreachable");
            }
        } finally {
            replica1.close();
        }
    }

    @Test
    void bothReplicasDownAreNotCoveredByAStoreWithOnlyTheirOlderBlocks() throws Exception {
        // the chaos soak's partition: both replicas of a cluster cut off, the store gateway serving their shipped blocks
        StoreFixture bucket = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "ha", "replica", "1"))
                .add(Labels.of("__name__", "up", "instance", "h"), new long[] {1000, 2000}, new double[] {1, 1}));
        StoreFixture replica1 = StoreFixture.serve(new MemoryChunkSource("sidecar", Labels.of("cluster", "ha", "replica", "1"))
                .add(Labels.of("__name__", "up", "instance", "h"), new long[] {1000, 2000, 3000, 4000}, new double[] {1, 1, 1, 1}));
        StoreFixture replica2 = StoreFixture.serve(new MemoryChunkSource("sidecar", Labels.of("cluster", "ha", "replica", "2"))
                .add(Labels.of("__name__", "up", "instance", "h"), new long[] {1000, 2000, 3000, 4000}, new double[] {1, 1, 1, 1}));
        try (EndpointSet set = new EndpointSet(List.of(bucket.address(), replica1.address(), replica2.address()), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofMinutes(5))) {
            set.refresh();
            replica1.close();
            replica2.close();
            set.refresh();
            assertThat(set.unreachable()).hasSize(2);
            StoreQueryable deduplicating = new StoreQueryable(set::healthy, set::unreachable,
                    new StoreQueryable.Options(true, List.of("replica"), true, 0, List.of(), 0), FanOutObserver.NONE);
            try (Querier querier = deduplicating.querier(0, 5000)) {
                SeriesSet series = querier.select(true, null, UP);
                assertThat(instances(series)).containsExactly("h");
                assertThat(series.warnings()).isNotEmpty().allSatisfy(warning -> assertThat(warning).contains("unreachable"));
            }
        } finally {
            bucket.close();
        }
    }

    @Test
    void anEndpointNeverReachedMayServeAnything() throws Exception {
        try (EndpointSet withNew = new EndpointSet(List.of(a.address(), neverUp), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(5))) {
            withNew.refresh();
            List<LabelMatcher> clusterA = List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("cluster", "a"));
            try (Querier querier = queryable(withNew, true).querier(0, 3000)) {
                SeriesSet set = querier.select(true, null, clusterA);
                assertThat(instances(set)).containsExactly("a");
                assertThat(set.warnings()).singleElement().asString().contains(neverUp, "unreachable");
            }
        }
    }
}
