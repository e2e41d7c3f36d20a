package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Sample;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BlockWriter → BlockReader → BlockQuerier on Gauntlet's own blocks: contents, ordering, range trimming, tombstones, errors. */
class BlockRoundTripTest {
    private static final long MIN = 1_800_000_000_000L - 1_800_000_000_000L % 7_200_000L;
    private static final long MAX = MIN + 7_200_000L;

    @TempDir
    Path directory;

    /** Random series (unique, unsorted) with 1..400 samples at irregular intervals and awkward values. */
    private static Map<Labels, List<Sample>> randomSeries(long seed, int count, long from, long to) {
        Random random = new Random(seed);
        Map<Labels, List<Sample>> series = new LinkedHashMap<>();
        while (series.size() < count) {
            Labels labels = Labels.of(Labels.METRIC_NAME, "metric_" + random.nextInt(5), "instance", "host-" + random.nextInt(10_000),
                    "zone", random.nextBoolean() ? "eu" : "üs-😀");
            List<Sample> samples = new ArrayList<>();
            long t = from + random.nextInt(60_000);
            int n = 1 + random.nextInt(400);
            for (int i = 0; i < n && t < to; i++) {
                double v = switch (random.nextInt(20)) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.POSITIVE_INFINITY;
                    case 2 -> -1e300;
                    default -> random.nextInt(1000) / 8.0;
                };
                samples.add(new Sample(t, v));
                t += 1 + random.nextInt(30_000);
            }
            series.put(labels, samples);
        }
        return series;
    }

    private static void add(BlockWriter writer, Labels labels, List<Sample> samples) throws IOException {
        long[] ts = samples.stream().mapToLong(Sample::timestamp).toArray();
        double[] vs = samples.stream().mapToDouble(Sample::value).toArray();
        writer.addSeries(labels, ts, vs, ts.length);
    }

    private static TreeMap<Labels, List<Sample>> sorted(Map<Labels, List<Sample>> series) {
        TreeMap<Labels, List<Sample>> sorted = new TreeMap<>(Utf8Order::compare);
        sorted.putAll(series);
        return sorted;
    }

    static Map<Labels, List<Sample>> read(SeriesSet set) throws StorageException {
        Map<Labels, List<Sample>> out = new LinkedHashMap<>();
        SampleIterator iterator = null;
        while (set.next()) {
            iterator = set.at().iterator(iterator);
            List<Sample> samples = new ArrayList<>();
            while (iterator.next()) {
                samples.add(new Sample(iterator.timestamp(), iterator.value()));
            }
            assertThat(out.put(set.at().labels(), samples)).as("series %s twice", set.at().labels()).isNull();
        }
        return out;
    }

    private Path writeSorted(Map<Labels, List<Sample>> series) throws IOException {
        try (BlockWriter writer = BlockWriter.create(directory, MIN, MAX)) {
            for (Map.Entry<Labels, List<Sample>> e : sorted(series).entrySet()) {
                add(writer, e.getKey(), e.getValue());
            }
            BlockMeta meta = writer.commit();
            return directory.resolve(meta.ulid().toString());
        }
    }

    @Test
    void writesABlockThatReadsBackInIndexOrder() throws Exception {
        Map<Labels, List<Sample>> series = randomSeries(1, 500, MIN, MAX);
        Path block = writeSorted(series);
        try (Stream<Path> entries = Files.list(directory)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(block.getFileName().toString());
        }
        assertThat(Files.size(block.resolve("tombstones"))).isEqualTo(9);
        try (BlockReader reader = BlockReader.open(block)) {
            BlockMeta meta = reader.meta();
            assertThat(meta.ulid().toString()).isEqualTo(block.getFileName().toString());
            assertThat(meta.minTime()).isEqualTo(MIN);
            assertThat(meta.maxTime()).isEqualTo(MAX);
            assertThat(meta.stats().numSeries()).isEqualTo(500);
            assertThat(meta.stats().numSamples()).isEqualTo(series.values().stream().mapToLong(List::size).sum());
            assertThat(meta.compaction().level()).isEqualTo(1);
            assertThat(meta.compaction().sources()).containsExactly(meta.ulid());
            Map<Labels, List<Sample>> read = read(reader.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of()));
            assertThat(new ArrayList<>(read.keySet())).isEqualTo(new ArrayList<>(sorted(series).keySet()));
            assertThat(read).isEqualTo(series);

            Map<Labels, List<Sample>> eu = read(reader.select(MIN, MAX, List.of(LabelMatcher.equal("zone", "eu"),
                    LabelMatcher.regex(Labels.METRIC_NAME, "metric_[12]"))));
            assertThat(eu).isNotEmpty().isEqualTo(sorted(series).entrySet().stream()
                    .filter(e -> e.getKey().get("zone").equals("eu") && e.getKey().get(Labels.METRIC_NAME).matches("metric_[12]"))
                    .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
            assertThat(reader.labelValues("zone", List.of())).containsExactly("eu", "üs-😀");
            assertThat(reader.labelNames(List.of(LabelMatcher.equal("zone", "eu")))).containsExactly(Labels.METRIC_NAME, "instance", "zone");
        }
    }

    @Test
    void unsortedWriterSortsTheSeries() throws Exception {
        Map<Labels, List<Sample>> series = randomSeries(2, 300, MIN, MAX);
        Path block;
        try (UnsortedBlockWriter writer = UnsortedBlockWriter.create(directory, MIN, MAX)) {
            for (Map.Entry<Labels, List<Sample>> e : series.entrySet()) {
                long[] ts = e.getValue().stream().mapToLong(Sample::timestamp).toArray();
                writer.addSeries(e.getKey(), ts, e.getValue().stream().mapToDouble(Sample::value).toArray(), ts.length);
            }
            block = directory.resolve(writer.commit().ulid().toString());
        }
        Path sortedBlock = writeSorted(series);
        assertThat(Files.readAllBytes(block.resolve("chunks/000001"))).isEqualTo(Files.readAllBytes(sortedBlock.resolve("chunks/000001")));
        assertThat(Files.readAllBytes(block.resolve("index"))).isEqualTo(Files.readAllBytes(sortedBlock.resolve("index")));
        try (Stream<Path> files = Files.list(block)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("chunks", "index", "meta.json", "tombstones");
        }
    }

    @Test
    void rejectsBadInputAndLeavesNoHalfWrittenBlock() throws Exception {
        try (BlockWriter writer = BlockWriter.create(directory, MIN, MAX)) {
            add(writer, Labels.of("a", "2"), List.of(new Sample(MIN, 1)));
            assertThatThrownBy(() -> add(writer, Labels.of("a", "1"), List.of(new Sample(MIN, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out-of-order series");
            assertThatThrownBy(() -> add(writer, Labels.of("a", "2"), List.of(new Sample(MIN, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate series");
            assertThatThrownBy(() -> add(writer, Labels.of("a", "3"), List.of(new Sample(MAX, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the block");
            assertThatThrownBy(() -> add(writer, Labels.of("a", "3"), List.of(new Sample(MIN + 5, 1), new Sample(MIN + 5, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not after");
            try (Stream<Path> entries = Files.list(directory)) {
                assertThat(entries.map(p -> p.getFileName().toString())).singleElement().asString().endsWith(BlockWriter.TEMPORARY_SUFFIX);
            }
        }
        try (Stream<Path> entries = Files.list(directory)) {
            assertThat(entries).as("an abandoned writer removes its temporary directory").isEmpty();
        }
    }

    @Test
    void selectTrimsToTheRangeAndSkipsTombstonedSamples() throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            samples.add(new Sample(MIN + i * 10_000L, i));
        }
        Labels a = Labels.of(Labels.METRIC_NAME, "a");
        Labels b = Labels.of(Labels.METRIC_NAME, "b");
        Path block = writeSorted(Map.of(a, samples, b, samples.subList(0, 10)));
        long refOfA;
        try (BlockReader reader = BlockReader.open(block)) {
            Postings postings = reader.index().postings(Labels.METRIC_NAME, "a");
            assertThat(postings.next()).isTrue();
            refOfA = postings.at();
            Map<Labels, List<Sample>> read = read(reader.select(MIN + 995_000, MIN + 2_000_000, List.of()));
            assertThat(read).containsOnlyKeys(a);
            assertThat(read.get(a)).isEqualTo(samples.subList(100, 201));
        }
        Tombstones.NONE.with(refOfA, MIN + 50_000, MIN + 1_500_000).writeTo(block);
        try (BlockReader reader = BlockReader.open(block)) {
            List<Sample> expected = new ArrayList<>(samples.subList(0, 5));
            expected.addAll(samples.subList(151, 500));
            assertThat(read(reader.select(MIN, MAX, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "a")))).get(a)).isEqualTo(expected);
            SampleIterator iterator = reader.select(MIN, MAX, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "a"))).next() ? null : null;
            SeriesSet set = reader.select(MIN, MAX, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "a")));
            assertThat(set.next()).isTrue();
            iterator = set.at().iterator(null);
            assertThat(iterator.seek(MIN + 100_000)).isTrue();
            assertThat(iterator.timestamp()).isEqualTo(MIN + 1_510_000);
            assertThat(iterator.seek(MIN + 3_000_005)).isTrue();
            assertThat(iterator.timestamp()).isEqualTo(MIN + 3_010_000);
            assertThat(iterator.seek(MIN)).isTrue();
            assertThat(iterator.timestamp()).isEqualTo(MIN + 3_010_000);
            assertThat(iterator.seek(MAX)).isFalse();

            // chunk series: the chunks with deleted samples are re-encoded without them
            ChunkSeriesSet chunks = reader.selectChunks(MIN, MAX, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "a")));
            assertThat(chunks.next()).isTrue();
            long kept = 0;
            for (EncodedChunk chunk : chunks.chunks()) {
                kept += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
            }
            assertThat(kept).isEqualTo(expected.size());
            assertThat(chunks.next()).isFalse();
        }
    }

    @Test
    void chunkSeriesPassThroughUntouchedAndHistogramChunksDecode() throws Exception {
        Map<Labels, List<Sample>> series = randomSeries(3, 50, MIN, MAX);
        Path block = writeSorted(series);
        Path copyParent = directory.resolve("copies");
        Path copy;
        try (BlockReader reader = BlockReader.open(block);
             BlockWriter writer = BlockWriter.create(copyParent, MIN, MAX)) {
            ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            while (set.next()) {
                writer.addSeries(set.labels(), set.chunks());
            }
            BlockMeta meta = writer.commit();
            assertThat(meta.stats().numSamples()).isEqualTo(reader.meta().stats().numSamples());
            assertThat(meta.stats().numChunks()).isEqualTo(reader.meta().stats().numChunks());
            copy = copyParent.resolve(meta.ulid().toString());
        }
        assertThat(Files.readAllBytes(copy.resolve("chunks/000001"))).isEqualTo(Files.readAllBytes(block.resolve("chunks/000001")));
        assertThat(Files.readAllBytes(copy.resolve("index"))).isEqualTo(Files.readAllBytes(block.resolve("index")));

        Path histogramParent = directory.resolve("histograms");
        Path histogramBlock;
        io.gauntlet.tsdb.chunks.HistogramChunkAppender histograms = new io.gauntlet.tsdb.chunks.HistogramChunkAppender();
        io.gauntlet.tsdb.histogram.Span[] spans = {new io.gauntlet.tsdb.histogram.Span(1, 2)};
        histograms.append(MIN, new io.gauntlet.tsdb.histogram.Histogram(null, 1, 0, 0, 3, 4.5, spans, new long[] {1, 1}, null, null));
        histograms.append(MIN + 10, new io.gauntlet.tsdb.histogram.Histogram(null, 1, 0, 0, 5, 6.5, spans, new long[] {2, 1}, null, null));
        byte[] histogramChunk = histograms.toByteArray();
        try (BlockWriter writer = BlockWriter.create(histogramParent, MIN, MAX)) {
            writer.addSeries(Labels.of(Labels.METRIC_NAME, "h"), List.of(new EncodedChunk(MIN, MIN + 10, ChunkEncoding.HISTOGRAM.code(), histogramChunk)));
            histogramBlock = histogramParent.resolve(writer.commit().ulid().toString());
        }
        try (BlockReader reader = BlockReader.open(histogramBlock)) {
            SeriesSet set = reader.select(MIN, MAX, List.of());
            assertThat(set.next()).isTrue();
            SampleIterator iterator = set.at().iterator(null);
            assertThat(iterator.next()).isTrue();
            assertThat(iterator.sampleType()).isEqualTo(io.gauntlet.tsdb.storage.SampleType.HISTOGRAM);
            assertThat(iterator.floatHistogram().positiveBuckets()).containsExactly(1.0, 2.0);
            assertThatThrownBy(iterator::value).isInstanceOf(IllegalStateException.class);
            assertThat(iterator.next()).isTrue();
            assertThat(iterator.floatHistogram().count()).isEqualTo(5.0);
            assertThat(iterator.next()).isFalse();
            ChunkSeriesSet chunks = reader.selectChunks(MIN, MAX, List.of());
            assertThat(chunks.next()).isTrue();
            assertThat(chunks.chunks()).singleElement().satisfies(c -> {
                assertThat(c.encoding()).isEqualTo(ChunkEncoding.HISTOGRAM.code());
                assertThat(c.data()).containsExactly(histogramChunk);
            });
        }
        // a tombstone over one histogram sample: the chunk comes back cut again without it
        long ref;
        try (BlockReader reader = BlockReader.open(histogramBlock)) {
            Postings postings = reader.index().postings(Labels.METRIC_NAME, "h");
            assertThat(postings.next()).isTrue();
            ref = postings.at();
        }
        Tombstones.NONE.with(ref, MIN + 5, MIN + 15).writeTo(histogramBlock);
        try (BlockReader reader = BlockReader.open(histogramBlock)) {
            ChunkSeriesSet chunks = reader.selectChunks(MIN, MAX, List.of());
            assertThat(chunks.next()).isTrue();
            assertThat(chunks.chunks()).singleElement().satisfies(c -> {
                assertThat(c.encoding()).isEqualTo(ChunkEncoding.HISTOGRAM.code());
                assertThat(c.minTime()).isEqualTo(MIN);
                assertThat(c.maxTime()).isEqualTo(MIN);
                assertThat(((c.data()[0] & 0xFF) << 8) | (c.data()[1] & 0xFF)).isEqualTo(1);
            });
        }
    }

    @Test
    void querierMergesSeriesAcrossBlocksAndDropsDuplicateTimestamps() throws Exception {
        Labels shared = Labels.of(Labels.METRIC_NAME, "up", "job", "a");
        Labels onlyFirst = Labels.of(Labels.METRIC_NAME, "up", "job", "b");
        Labels onlySecond = Labels.of(Labels.METRIC_NAME, "up", "job", "c");
        List<Sample> first = List.of(new Sample(MIN, 1), new Sample(MIN + 10, 2), new Sample(MIN + 20, 3));
        List<Sample> second = List.of(new Sample(MIN + 10, 20), new Sample(MIN + 15, 25), new Sample(MIN + 30, 30));
        Path a = writeSorted(Map.of(shared, first, onlyFirst, first));
        Path b = writeSorted(Map.of(shared, second, onlySecond, second));
        try (BlockReader ra = BlockReader.open(a); BlockReader rb = BlockReader.open(b);
             Querier querier = BlockQuerier.queryable(List.of(rb, ra)).querier(MIN, MIN + 25)) {
            Map<Labels, List<Sample>> read = read(querier.select(true, null, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "up"))));
            assertThat(new ArrayList<>(read.keySet())).containsExactly(shared, onlyFirst, onlySecond);
            assertThat(read.get(shared)).containsExactly(new Sample(MIN, 1), new Sample(MIN + 10, 2), new Sample(MIN + 15, 25),
                    new Sample(MIN + 20, 3));
            assertThat(read.get(onlySecond)).containsExactly(new Sample(MIN + 10, 20), new Sample(MIN + 15, 25));
            assertThat(read(querier.select(true, SelectHints.range(MIN + 12, MIN + 16), List.of(LabelMatcher.equal("job", "a")))).get(shared))
                    .containsExactly(new Sample(MIN + 15, 25));
            assertThat(querier.labelValues("job", List.of())).containsExactly("a", "b", "c");
            assertThat(querier.labelNames(List.of())).containsExactly(Labels.METRIC_NAME, "job");

            SeriesSet set = querier.select(true, null, List.of(LabelMatcher.equal("job", "a")));
            assertThat(set.next()).isTrue();
            SampleIterator iterator = set.at().iterator(null);
            assertThat(iterator.seek(MIN + 11)).isTrue();
            assertThat(iterator.timestamp()).isEqualTo(MIN + 15);
            assertThat(iterator.next()).isTrue();
            assertThat(iterator.value()).isEqualTo(3);
            assertThat(iterator.next()).isFalse();
        }
        try (BlockQuerier owning = BlockQuerier.open(List.of(a, b), MIN, MAX)) {
            assertThat(read(owning.select(false, null, List.of(LabelMatcher.equal("job", "a")))).get(shared)).hasSize(5);
        }
    }

    @Test
    void writesTheThanosSectionAndTheGivenCompaction() throws Exception {
        Ulid source = Ulid.generate(MIN);
        BlockWriter.Options options = BlockWriter.Options.defaults()
                .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu", "replica", "0"), 0, "sidecar"))
                .withCompaction(BlockMeta.Compaction.of(2, List.of(source), List.of(BlockMeta.BlockDesc.of(source, MIN, MAX))))
                .withSegmentSize(2048);
        BlockMeta meta;
        try (BlockWriter writer = BlockWriter.create(directory, MIN, MAX, options)) {
            for (Map.Entry<Labels, List<Sample>> e : sorted(randomSeries(4, 40, MIN, MAX)).entrySet()) {
                add(writer, e.getKey(), e.getValue());
            }
            meta = writer.commit();
        }
        Path block = directory.resolve(meta.ulid().toString());
        try (BlockReader reader = BlockReader.open(block)) {
            assertThat(reader.meta()).isEqualTo(meta);
            assertThat(reader.chunks().segmentCount()).isGreaterThan(1);
            assertThat(read(reader.select(MIN, MAX, List.of()))).hasSize(40);
        }
        assertThat(meta.compaction().level()).isEqualTo(2);
        assertThat(meta.thanos().labels()).containsEntry("cluster", "eu");
        assertThat(meta.bucketProblems()).isEmpty();
        List<String> paths = meta.thanos().files().stream().map(BlockMeta.File::relPath).toList();
        assertThat(paths).startsWith("chunks/000001", "chunks/000002").endsWith("index", "meta.json");
        for (BlockMeta.File file : meta.thanos().files()) {
            if (!file.relPath().equals("meta.json")) {
                assertThat(file.sizeBytes()).as(file.relPath()).isEqualTo(Files.size(block.resolve(file.relPath())));
            }
        }
        // segment_files name the real chunk files, and the index stats counted while writing equal what a reader measures
        try (var chunkFiles = Files.list(block.resolve("chunks"))) {
            assertThat(meta.thanos().segmentFiles()).isEqualTo(chunkFiles.map(path -> path.getFileName().toString()).sorted().toList());
        }
        assertThat(meta.thanos().indexStats().seriesMaxSize()).isPositive().isEqualTo(BlockIndexStats.measure(block).seriesMaxSize());
        assertThat(meta.thanos().indexStats().chunkMaxSize()).isPositive().isEqualTo(BlockIndexStats.measure(block).chunkMaxSize());
    }

    @Test
    void downsampledChunksPassThroughAndCountTheirWindows() throws Exception {
        XorChunkAppender count = new XorChunkAppender();
        XorChunkAppender sum = new XorChunkAppender();
        for (int i = 0; i < 5; i++) {
            count.append(MIN + i * 300_000L + 299_999, 20);
            sum.append(MIN + i * 300_000L + 299_999, i * 1.5);
        }
        byte[] aggregate = AggregateChunk.encode(Map.of(AggregateType.COUNT, count.toByteArray(), AggregateType.SUM, sum.toByteArray()));
        BlockMeta meta;
        try (UnsortedBlockWriter writer = UnsortedBlockWriter.create(directory, MIN, MAX)) {
            writer.addSeries(Labels.of(Labels.METRIC_NAME, "d"), List.of(new EncodedChunk(MIN + 299_999, MIN + 1_499_999,
                    ChunkEncoding.AGGREGATE.code(), aggregate)));
            meta = writer.commit();
        }
        assertThat(meta.stats().numSamples()).isEqualTo(5);
        try (BlockReader reader = BlockReader.open(directory.resolve(meta.ulid().toString()))) {
            ChunkSeriesSet chunks = reader.selectChunks(MIN, MAX, List.of());
            assertThat(chunks.next()).isTrue();
            assertThat(chunks.chunks()).singleElement().satisfies(c -> assertThat(c.data()).isEqualTo(aggregate));
            SeriesSet set = reader.select(MIN, MAX, List.of());
            assertThat(set.next()).isTrue();
            assertThatThrownBy(() -> set.at().iterator(null).next()).isInstanceOf(UnsupportedEncodingException.class)
                    .hasMessageContaining("downsampled");
        }
    }

    @Test
    void unsortedWriterRefusesTheSameSeriesTwice() throws Exception {
        try (UnsortedBlockWriter writer = UnsortedBlockWriter.create(directory, MIN, MAX)) {
            writer.addSeries(Labels.of("a", "1"), new long[] {MIN}, new double[] {1}, 1);
            writer.addSeries(Labels.of("a", "0"), new long[] {MIN}, new double[] {1}, 1);
            writer.addSeries(Labels.of("a", "1"), new long[] {MIN + 1}, new double[] {2}, 1);
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate series {a=\"1\"}");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            assertThat(entries).isEmpty();
        }
    }
}
