package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexWriterTest {
    @TempDir
    Path work;

    @Test
    void rewritesAPrometheusIndexByteForByte() throws Exception {
        PromtoolBlocks.Block block = PromtoolBlocks.create(work, 1234, 2500);
        Path copy = work.resolve("copy").resolve("index");
        Files.createDirectories(copy.getParent());
        try (IndexReader prometheus = IndexReader.open(block.index()); IndexWriter writer = IndexWriter.create(copy)) {
            List<String> symbols = new ArrayList<>();
            prometheus.forEachSymbol(symbols::add);
            writer.addSymbols(symbols);
            SeriesEntry entry = new SeriesEntry();
            Postings all = prometheus.allPostings();
            while (all.next()) {
                prometheus.series(all.at(), entry);
                writer.addSeries(entry.labels(), entry.chunks());
            }
        }
        byte[] expected = Files.readAllBytes(block.index());
        byte[] actual = Files.readAllBytes(copy);
        assertThat(actual.length).isEqualTo(expected.length);
        assertThat(firstDifference(actual, expected)).as("offset of the first differing byte").isEqualTo(-1);
        assertThat(Files.exists(copy.resolveSibling("index_tmp_p"))).isFalse();
    }

    @Test
    void writesWhatTheReaderReadsBack() throws Exception {
        Path file = work.resolve("index");
        List<Labels> series = List.of(
                Labels.of("__name__", "a", "x", "1"),
                Labels.of("__name__", "a", "x", "2"),
                Labels.of("__name__", "b"),
                Labels.of("__name__", "b", "y", "ä"));
        List<String> symbols = List.of("1", "2", "__name__", "a", "b", "x", "y", "ä");
        try (IndexWriter writer = IndexWriter.create(file)) {
            writer.addSymbols(symbols);
            writer.addSeries(series.get(0), List.of(new ChunkMeta(-5, 10, 8), new ChunkMeta(11, 11, 100)));
            writer.addSeries(series.get(1), List.of());
            writer.addSeries(series.get(2), List.of(new ChunkMeta(Long.MIN_VALUE / 2, 0, 200)));
            writer.addSeries(series.get(3), List.of(new ChunkMeta(1, 2, 1L << 40)));
        }
        try (IndexReader reader = IndexReader.open(file)) {
            assertThat(PrometheusIndexTest.seriesOf(reader, reader.allPostings())).isEqualTo(series);
            List<String> read = new ArrayList<>();
            reader.forEachSymbol(read::add);
            assertThat(read).isEqualTo(symbols);
            assertThat(reader.labelNames()).containsExactly("__name__", "x", "y");
            assertThat(reader.labelValues("__name__")).containsExactly("a", "b");
            SeriesEntry entry = new SeriesEntry();
            long[] ids = Postings.toArray(reader.allPostings());
            reader.series(ids[0], entry);
            assertThat(entry.chunks()).containsExactly(new ChunkMeta(-5, 10, 8), new ChunkMeta(11, 11, 100));
            reader.series(ids[1], entry);
            assertThat(entry.chunkCount()).isZero();
            reader.series(ids[2], entry);
            assertThat(entry.chunks()).containsExactly(new ChunkMeta(Long.MIN_VALUE / 2, 0, 200));
            reader.series(ids[3], entry);
            assertThat(entry.chunks()).containsExactly(new ChunkMeta(1, 2, 1L << 40));
        }
    }

    @Test
    void writesAnEmptyIndex() throws Exception {
        Path file = work.resolve("index");
        IndexWriter.create(file).close();
        try (IndexReader reader = IndexReader.open(file)) {
            assertThat(reader.labelNames()).isEmpty();
            assertThat(reader.allPostings().next()).isFalse();
            assertThat(reader.symbolCount()).isZero();
        }
    }

    @Test
    void rejectsMisorderedInput() throws Exception {
        try (IndexWriter writer = IndexWriter.create(work.resolve("index"))) {
            writer.addSymbol("b");
            assertThatThrownBy(() -> writer.addSymbol("a")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.addSymbol("b")).isInstanceOf(IllegalArgumentException.class);
            writer.addSymbol("c");
            writer.addSeries(Labels.of("b", "c"), List.of(new ChunkMeta(0, 10, 8)));
            assertThatThrownBy(() -> writer.addSeries(Labels.of("b", "b"), List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.addSeries(Labels.of("b", "c"), List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.addSeries(Labels.of("c", "x"), List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"x\"");
            assertThatThrownBy(() -> writer.addSeries(Labels.of("c", "b"), List.of(new ChunkMeta(0, 1, 7))))
                    .hasMessageContaining("unsorted chunk reference");
            assertThatThrownBy(() -> writer.addSeries(Labels.of("c", "b"), List.of(new ChunkMeta(0, 1, 9), new ChunkMeta(1, 2, 10))))
                    .hasMessageContaining("not after previous maxTime");
            assertThatThrownBy(() -> writer.addSymbol("d")).isInstanceOf(IllegalStateException.class);
        }
    }

    private static int firstDifference(byte[] a, byte[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }
}
