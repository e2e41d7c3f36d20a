package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxySeriesSetTest {

    /** A store answer from a list, in the given (possibly wrong) order. */
    private static final class ListSet implements StoreSeriesSet {
        private final String name;
        private final List<Map.Entry<Labels, List<EncodedChunk>>> series;
        private int index = -1;
        boolean closed;

        ListSet(String name, List<Map.Entry<Labels, List<EncodedChunk>>> series) {
            this.name = name;
            this.series = series;
        }

        @Override
        public boolean next() {
            return ++index < series.size();
        }

        @Override
        public Labels labels() {
            return series.get(index).getKey();
        }

        @Override
        public List<EncodedChunk> chunks() {
            return series.get(index).getValue();
        }

        @Override
        public List<String> warnings() {
            return List.of("from " + name);
        }

        @Override
        public String source() {
            return name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Map.Entry<Labels, List<EncodedChunk>> series(String name, EncodedChunk... chunks) {
        return Map.entry(Labels.of("__name__", name), List.of(chunks));
    }

    private static EncodedChunk chunk(long min, long max, int tag) {
        return new EncodedChunk(min, max, 1, new byte[] {0, 1, (byte) tag});
    }

    private static List<String> drain(ProxySeriesSet set) throws StorageException {
        List<String> out = new ArrayList<>();
        while (set.next()) {
            out.add(set.labels().get("__name__") + set.chunks().stream().map(c -> c.minTime() + "/" + c.data()[2]).toList());
        }
        return out;
    }

    @Test
    void mergesEqualSeriesAcrossStoresByTimeWithoutDuplicates() throws Exception {
        ListSet a = new ListSet("a", List.of(series("x", chunk(0, 9, 1), chunk(20, 29, 3)), series("z", chunk(0, 9, 9))));
        ListSet b = new ListSet("b", List.of(series("x", chunk(10, 19, 2), chunk(0, 9, 1)), series("y", chunk(0, 9, 5))));

        ProxySeriesSet merged = new ProxySeriesSet(List.of(a, b), PartialResponse.WARN);

        assertThat(drain(merged)).containsExactly("x[0/1, 10/2, 20/3]", "y[0/5]", "z[0/9]");
        assertThat(merged.warnings()).containsExactlyInAnyOrder("from a", "from b");
    }

    @Test
    void aStoreWarningFailsTheMergeWhenPartialResponseIsDisabled() {
        ListSet a = new ListSet("a", List.of(series("x", chunk(0, 9, 1))));
        ListSet b = new ListSet("b", List.of(series("y", chunk(0, 9, 5))));

        ProxySeriesSet merged = new ProxySeriesSet(List.of(a, b), PartialResponse.ABORT);

        // Thanos' proxy: a warning with partial response disabled ends the call with the warning as the error
        assertThatThrownBy(() -> drain(merged)).isInstanceOf(StoreException.class)
                .hasMessage("store a: ABORTED: answered partially and partial response is disabled: from a");
        assertThat(a.closed).isTrue();
        assertThat(b.closed).isTrue();
    }

    @Test
    void plainChunkSeriesSetsMergeToo() throws Exception {
        FakeChunkSource block1 = new FakeChunkSource(Labels.EMPTY).add(Labels.of("__name__", "a"), chunk(0, 9, 1));
        FakeChunkSource block2 = new FakeChunkSource(Labels.EMPTY).add(Labels.of("__name__", "a"), chunk(10, 19, 2))
                .add(Labels.of("__name__", "b"), chunk(10, 19, 3));
        StoreQuery query = StoreQuery.of(0, 100, List.of());

        try (ProxySeriesSet merged = new ProxySeriesSet(List.of(StoreSeriesSet.of(block1.series(query), "block1"),
                StoreSeriesSet.of(block2.series(query), "block2")), PartialResponse.ABORT)) {
            assertThat(drain(merged)).containsExactly("a[0/1, 10/2]", "b[10/3]");
        }
        assertThat(block1.closed).isTrue();
        assertThat(block2.closed).isTrue();
    }

    @Test
    void anUnsortedStoreIsReportedByName() throws Exception {
        ListSet good = new ListSet("good", List.of(series("a", chunk(0, 1, 1)), series("c", chunk(0, 1, 1))));
        ListSet unsorted = new ListSet("sloppy", List.of(series("b", chunk(0, 1, 1)), series("a", chunk(0, 1, 1))));

        ProxySeriesSet warn = new ProxySeriesSet(List.of(good, unsorted), PartialResponse.WARN);
        assertThat(drain(warn)).containsExactly("a[0/1]", "b[0/1]", "c[0/1]");
        assertThat(warn.warnings()).anySatisfy(w -> assertThat(w).startsWith("store sloppy: series a{} came after b{}"));
        assertThat(unsorted.closed).isTrue();

        ListSet good2 = new ListSet("good", List.of(series("a", chunk(0, 1, 1)), series("c", chunk(0, 1, 1))));
        ListSet unsorted2 = new ListSet("sloppy", List.of(series("b", chunk(0, 1, 1)), series("a", chunk(0, 1, 1))));
        ProxySeriesSet abort = new ProxySeriesSet(List.of(good2, unsorted2), PartialResponse.ABORT);
        assertThatThrownBy(() -> drain(abort)).isInstanceOf(StorageException.class).hasMessageContaining("store sloppy");
        assertThat(good2.closed).isTrue();
    }
}
