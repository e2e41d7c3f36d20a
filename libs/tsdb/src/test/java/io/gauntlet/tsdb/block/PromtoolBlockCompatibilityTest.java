package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks made by the real promtool 2.42 read by {@link BlockReader} exactly as {@code promtool tsdb dump} prints them,
 * and the same samples written by {@link BlockWriter}: chunk files byte-identical to promtool's, accepted by
 * {@code promtool tsdb analyze} and dumped by promtool with exactly the samples written.
 */
class PromtoolBlockCompatibilityTest {
    private static final long BLOCK = 7_200_000L;
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % BLOCK + 3_456_789L;

    @TempDir
    static Path directory;
    static Promtool promtool;
    static Path promtoolDatabase;
    static List<BlockReader> promtoolBlocks = new ArrayList<>();

    @BeforeAll
    static void createBlocks() throws IOException, StorageException {
        promtool = Promtool.require();
        Path input = directory.resolve("input.om");
        // ~1,700 series (counters, gauges, 30 classic histograms) over 80 min crossing a 2 h boundary: two blocks, irregular intervals, odd values
        new OpenMetricsGenerator(7, 1000, 300, 30, START, 80 * 60_000L, 15_000).write(input);
        promtoolDatabase = directory.resolve("promtool");
        for (Path block : promtool.createBlocksFromOpenMetrics(input, promtoolDatabase)) {
            promtoolBlocks.add(BlockReader.open(block));
        }
    }

    @AfterAll
    static void closeBlocks() {
        promtoolBlocks.forEach(BlockReader::close);
    }

    @Test
    void readsEveryPromtoolBlockExactlyAsPromtoolDumpsIt() throws Exception {
        assertThat(promtoolBlocks).hasSizeGreaterThanOrEqualTo(2);
        Path dump = PromtoolDump.dump(promtool, promtoolDatabase, directory.resolve("promtool.dump"));
        long samples;
        try (Querier querier = new BlockQuerier(promtoolBlocks, Long.MIN_VALUE, Long.MAX_VALUE)) {
            samples = PromtoolDump.assertSameSamples(dump, querier.select(true, null, List.of(LabelMatcher.regex(Labels.METRIC_NAME, ".+"))));
        }
        long inMeta = promtoolBlocks.stream().mapToLong(b -> b.meta().stats().numSamples()).sum();
        assertThat(samples).isEqualTo(inMeta).isGreaterThan(300_000);
    }

    @Test
    void gauntletWritesTheSameChunkBytesAsPromtoolAndPromtoolReadsThem() throws Exception {
        Path gauntletDatabase = directory.resolve("gauntlet");
        long promtoolChunkBytes = 0;
        long gauntletChunkBytes = 0;
        long samples = 0;
        for (BlockReader source : promtoolBlocks) {
            BlockWriter.Options options = BlockWriter.Options.defaults().withChunkRange(SeriesChunkCutter.backfillChunkRange(BLOCK));
            BlockMeta written;
            try (BlockWriter writer = BlockWriter.create(gauntletDatabase, source.minTime(), source.maxTime(), options)) {
                SeriesSet series = source.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                long[] timestamps = new long[1024];
                double[] values = new double[1024];
                SampleIterator iterator = null;
                while (series.next()) {
                    iterator = series.at().iterator(iterator);
                    int n = 0;
                    while (iterator.next()) {
                        if (n == timestamps.length) {
                            timestamps = Arrays.copyOf(timestamps, 2 * n);
                            values = Arrays.copyOf(values, 2 * n);
                        }
                        timestamps[n] = iterator.timestamp();
                        values[n++] = iterator.value();
                    }
                    writer.addSeries(series.at().labels(), timestamps, values, n);
                }
                written = writer.commit();
            }
            assertThat(written.stats().numSamples()).isEqualTo(source.meta().stats().numSamples());
            assertThat(written.stats().numSeries()).isEqualTo(source.meta().stats().numSeries());
            assertThat(written.stats().numChunks()).isEqualTo(source.meta().stats().numChunks());
            Path gauntletBlock = gauntletDatabase.resolve(written.ulid().toString());
            byte[] ours = Files.readAllBytes(gauntletBlock.resolve("chunks/000001"));
            assertSameBytes(gauntletBlock, source.directory(), "chunks/000001");
            assertSameBytes(gauntletBlock, source.directory(), "index");
            assertSameBytes(gauntletBlock, source.directory(), "tombstones");
            byte[] theirs = Files.readAllBytes(source.directory().resolve("chunks/000001"));
            promtoolChunkBytes += theirs.length;
            gauntletChunkBytes += ours.length;
            samples += written.stats().numSamples();

            String analysis = promtool.run("tsdb", "analyze", gauntletDatabase.toString(), written.ulid().toString());
            assertThat(analysis).contains("Block ID: " + written.ulid()).contains("\nSeries: " + written.stats().numSeries() + "\n");
        }
        System.out.printf("chunk bytes per sample: Gauntlet %.4f, promtool %.4f (%d samples)%n",
                (double) gauntletChunkBytes / samples, (double) promtoolChunkBytes / samples, samples);

        // promtool dumps the Gauntlet blocks with exactly the samples the promtool blocks hold
        Path dump = PromtoolDump.dump(promtool, gauntletDatabase, directory.resolve("gauntlet.dump"));
        try (Querier querier = new BlockQuerier(promtoolBlocks, Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(PromtoolDump.assertSameSamples(dump, querier.select(true, null, List.of()))).isEqualTo(samples);
        }
    }

    private static void assertSameBytes(Path ours, Path theirs, String file) throws IOException {
        byte[] a = Files.readAllBytes(ours.resolve(file));
        byte[] b = Files.readAllBytes(theirs.resolve(file));
        int mismatch = Arrays.mismatch(a, b);
        assertThat(mismatch).as("%s of Gauntlet block %s (%d bytes) differs from promtool's %s (%d bytes) first at byte %d", file,
                ours.getFileName(), a.length, theirs.getFileName(), b.length, mismatch).isEqualTo(-1);
    }
}
