package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.CorruptedBlock;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A store that answers partly (as a store gateway does with a damaged block): its warnings reach the query with
 * partial response, and fail it without (Thanos' rule), for Series and label calls alike; the damaged block it reports
 * with Info shows in the endpoint status.
 */
class StoreWarningsTest {
    private static final String WARNING = "corrupted block 01KBLOCK: chunks/000001 at offset 8: chunk checksum mismatch";
    private static final List<LabelMatcher> UP = List.of(LabelMatcher.equal("__name__", "up"));
    private static StoreFixture partial;
    private static StoreFixture whole;
    private static EndpointSet endpoints;

    @BeforeAll
    static void start() throws Exception {
        MemoryChunkSource damaged = new MemoryChunkSource("store", Labels.of("site", "a"))
                .add(Labels.of("__name__", "up", "instance", "a"), new long[] {1000, 2000}, new double[] {1, 1});
        partial = StoreFixture.serve(new PartlyAnswering(damaged));
        whole = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("site", "b"))
                .add(Labels.of("__name__", "up", "instance", "b"), new long[] {1000, 2000}, new double[] {2, 2}));
        endpoints = new EndpointSet(List.of(partial.address(), whole.address()), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(5));
        endpoints.refresh();
        assertThat(endpoints.healthy()).hasSize(2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        endpoints.close();
        partial.close();
        whole.close();
    }

    private static StoreQueryable queryable(boolean partialResponse) {
        return new StoreQueryable(endpoints::healthy, new StoreQueryable.Options(true, List.of(), partialResponse, 0, List.of(), 0));
    }

    @Test
    void withPartialResponseTheWarningComesWithTheOtherStoresData() throws Exception {
        try (Querier querier = queryable(true).querier(0, 3000)) {
            SeriesSet set = querier.select(true, null, UP);
            List<String> instances = new ArrayList<>();
            while (set.next()) {
                instances.add(set.at().labels().get("instance"));
            }
            assertThat(instances).containsExactly("a", "b");
            assertThat(set.warnings()).singleElement().asString().isEqualTo("store " + partial.address() + ": " + WARNING);
        }
        StoreQueryable.Answer<String> names = queryable(true).querier(0, 3000).labelNamesOf(List.of(UP));
        assertThat(names.values()).contains("instance", "site");
        assertThat(names.warnings()).containsExactly("store " + partial.address() + ": " + WARNING);
        StoreQueryable.Answer<String> values = queryable(true).querier(0, 3000).labelValuesOf("instance", List.of(UP));
        assertThat(values.values()).containsExactly("a", "b");
        assertThat(values.warnings()).containsExactly("store " + partial.address() + ": " + WARNING);
    }

    @Test
    void withoutPartialResponseTheWarningFailsTheQuery() {
        assertThatThrownBy(() -> {
            try (Querier querier = queryable(false).querier(0, 3000)) {
                SeriesSet set = querier.select(true, null, UP);
                while (set.next()) {
                    // drained until the store's warning arrives with its end
                }
            }
        }).isInstanceOf(StorageException.class).hasMessageContaining("partial response is disabled").hasMessageContaining(WARNING);
        assertThatThrownBy(() -> queryable(false).querier(0, 3000).labelNamesOf(List.of(UP)))
                .isInstanceOf(StorageException.class).hasMessageContaining(WARNING);
        assertThatThrownBy(() -> queryable(false).querier(0, 3000).labelValuesOf("instance", List.of(UP)))
                .isInstanceOf(StorageException.class).hasMessageContaining(WARNING);
    }

    @Test
    void theStoresDamagedBlocksShowInItsStatus() {
        EndpointSet.EndpointStatus status = endpoints.statuses().stream().filter(s -> s.name().equals(partial.address())).findFirst()
                .orElseThrow();
        assertThat(status.corruptedBlocksTotal()).isEqualTo(1);
        assertThat(status.corruptedBlocks()).singleElement().satisfies(block -> {
            assertThat(block.ulid()).isEqualTo("01KBLOCK");
            assertThat(block.file()).isEqualTo("chunks/000001");
            assertThat(block.offset()).isEqualTo(8);
            assertThat(block.cause()).isEqualTo("checksum");
        });
        EndpointSet.EndpointStatus healthy = endpoints.statuses().stream().filter(s -> s.name().equals(whole.address())).findFirst()
                .orElseThrow();
        assertThat(healthy.corruptedBlocks()).isEmpty();
        assertThat(healthy.corruptedBlocksTotal()).isZero();
    }

    /** A store whose every answer lacks a damaged block's data and says so. */
    private record PartlyAnswering(MemoryChunkSource data) implements ChunkSource {
        @Override
        public SourceInfo info() {
            return data.info();
        }

        @Override
        public ChunkSeriesSet series(StoreQuery query) throws StorageException {
            ChunkSeriesSet set = data.series(query);
            StoreSeriesSet plain = StoreSeriesSet.of(set, "memory");
            return new StoreSeriesSet() {
                @Override
                public boolean next() throws StorageException {
                    return plain.next();
                }

                @Override
                public Labels labels() {
                    return plain.labels();
                }

                @Override
                public List<EncodedChunk> chunks() {
                    return plain.chunks();
                }

                @Override
                public List<String> warnings() {
                    return List.of(WARNING);
                }

                @Override
                public void close() {
                    plain.close();
                }
            };
        }

        @Override
        public List<String> labelNames(LabelQuery query) {
            return data.labelNames(query);
        }

        @Override
        public List<String> labelValues(String name, LabelQuery query) {
            return data.labelValues(name, query);
        }

        @Override
        public LabelAnswer labelNamesAnswer(LabelQuery query) {
            return new LabelAnswer(labelNames(query), List.of(WARNING));
        }

        @Override
        public LabelAnswer labelValuesAnswer(String name, LabelQuery query) {
            return new LabelAnswer(labelValues(name, query), List.of(WARNING));
        }

        @Override
        public List<CorruptedBlock> corruptedBlocks() {
            return List.of(new CorruptedBlock("01KBLOCK", "chunks/000001", 8, "checksum", WARNING, 0, 7_200_000, 1_700_000_000_000L));
        }
    }
}
