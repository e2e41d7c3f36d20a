package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A store without without_replica_labels support: the querier drops the labels, re-sorts and joins. */
class ReplicaLabelsDroppedSeriesSetTest {
    @Test
    void replicasBecomeOneSeriesInLabelOrder() throws Exception {
        MemoryChunkSource source = new MemoryChunkSource("sidecar", Labels.EMPTY)
                .add(Labels.of("a", "1", "replica", "r1"), new long[] {1000, 2000}, new double[] {1, 2})
                .add(Labels.of("a", "1", "replica", "r2"), new long[] {1500, 2500}, new double[] {1, 2})
                .add(Labels.of("a", "0", "replica", "r2"), new long[] {1000}, new double[] {5})
                .add(Labels.of("a", "0", "z", "x"), new long[] {1000}, new double[] {6});
        StoreSeriesSet stores = StoreSeriesSet.of(source.series(StoreQuery.of(0, 10_000, List.of())), "old-sidecar");
        ReplicaLabelsDroppedSeriesSet set = new ReplicaLabelsDroppedSeriesSet(stores, List.of("replica"));
        List<String> seen = new ArrayList<>();
        while (set.next()) {
            seen.add(set.labels() + " " + set.chunks().stream().map(c -> c.minTime() + "-" + c.maxTime()).toList());
        }
        assertThat(seen).containsExactly("{a=\"0\"} [1000-1000]", "{a=\"0\", z=\"x\"} [1000-1000]",
                "{a=\"1\"} [1000-2000, 1500-2500]");
    }
}
