package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks written by the real promtool 2.42: our reader decodes every chunk, our appender re-encodes it to the same
 * bytes, our cutter cuts each series' samples into the same chunks, and the samples agree with {@code promtool tsdb dump}.
 */
class PrometheusCompatibilityTest {
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 7_200_000L + 1_234_567L;

    /** Go's strconv.ParseFloat("NaN") is math.NaN(), whose bits differ from Java's Double.NaN. */
    private static final double GO_NAN = Double.longBitsToDouble(0x7FF8000000000001L);

    @TempDir
    static Path directory;
    static Promtool promtool;
    static List<Path> manySeriesBlocks;
    static List<Path> longSeriesBlocks;

    @BeforeAll
    static void createBlocks() throws IOException {
        promtool = Promtool.require();
        Path manySeries = directory.resolve("many.om");
        new OpenMetricsGenerator(1, 1500, 400, 20, START, 40 * 60_000L, 15_000).write(manySeries);
        manySeriesBlocks = promtool.createBlocksFromOpenMetrics(manySeries, directory.resolve("many"));
        Path longSeries = directory.resolve("long.om");
        new OpenMetricsGenerator(2, 40, 30, 2, START, 7 * 3_600_000L, 10_000).write(longSeries);
        longSeriesBlocks = promtool.createBlocksFromOpenMetrics(longSeries, directory.resolve("long"));
    }

    @Test
    void reencodingEveryPromtoolChunkGivesTheSameBytes() throws StorageException, IOException {
        assertThat(longSeriesBlocks).hasSizeGreaterThanOrEqualTo(4); // 7 h cross several 2 h block boundaries
        long chunks = 0;
        long samples = 0;
        long bytes = 0;
        long largest = 0;
        for (Path block : concat(manySeriesBlocks, longSeriesBlocks)) {
            try (ChunkSegmentReader reader = ChunkSegmentReader.open(block.resolve("chunks"))) {
                XorSampleIterator iterator = new XorSampleIterator();
                XorChunkAppender appender = new XorChunkAppender();
                for (long ref : reader.scanRefs()) {
                    StoredChunk chunk = reader.chunk(ref);
                    assertThat(chunk.encoding()).isEqualTo(ChunkEncoding.XOR);
                    chunk.samples(iterator);
                    appender.reset();
                    while (iterator.next()) {
                        appender.append(iterator.timestamp(), iterator.value());
                    }
                    assertThat(appender.toByteArray()).as("chunk %d of %s", ref, block).isEqualTo(chunk.toByteArray());
                    chunks++;
                    samples += appender.sampleCount();
                    bytes += chunk.data().byteSize();
                    largest = Math.max(largest, chunk.data().byteSize());
                }
            }
        }
        assertThat(chunks).isGreaterThan(2000);
        // Prometheus 2.42 cuts by samples and time only; the 1 KiB chunk size cap arrived in later versions
        assertThat(largest).isGreaterThan(1100);
        System.out.printf("promtool blocks: %d chunks, %d samples, %.3f bytes/sample%n", chunks, samples, (double) bytes / samples);
    }

    @Test
    void cuttingTheDumpedSamplesReproducesPromtoolsChunksAndSamples() throws StorageException, IOException {
        for (Path block : concat(manySeriesBlocks, longSeriesBlocks)) {
            // dump one block at a time so that series are not merged across blocks
            Path alone = Files.createDirectories(directory.resolve("alone-" + block.getFileName()));
            Files.createDirectories(alone.resolve("wal")); // promtool opens the directory as a read-only TSDB
            Files.move(block, alone.resolve(block.getFileName()));
            Path moved = alone.resolve(block.getFileName());
            List<List<String[]>> series = groupBySeries(promtool.dump(alone));
            List<SeriesChunkCutter.CutChunk> expected = new ArrayList<>();
            // promtool's backfill writes each 2 h block through a head whose chunk range is twice the block
            SeriesChunkCutter cutter = new SeriesChunkCutter(SeriesChunkCutter.backfillChunkRange(7_200_000L),
                    c -> expected.add(new SeriesChunkCutter.CutChunk(c.minTime(), c.maxTime(), c.sampleCount(), c.toByteArray())));
            for (List<String[]> samples : series) {
                for (String[] sample : samples) {
                    cutter.append(Long.parseLong(sample[2]), parseGoFloat(sample[1]));
                }
                cutter.finish();
            }
            try (ChunkSegmentReader reader = ChunkSegmentReader.open(moved.resolve("chunks"))) {
                long[] refs = reader.scanRefs();
                assertThat(refs).as("chunks of %s", block).hasSize(expected.size());
                XorSampleIterator iterator = new XorSampleIterator();
                List<String[]> dumped = series.stream().flatMap(List::stream).toList();
                int dumpedIndex = 0;
                for (long ref : refs) {
                    XorSampleIterator samples = reader.chunk(ref).samples(iterator);
                    while (samples.next()) {
                        String[] expectedSample = dumped.get(dumpedIndex++);
                        assertThat(samples.timestamp()).isEqualTo(Long.parseLong(expectedSample[2]));
                        assertThat(samples.valueBits()).as("value of %s at %s", expectedSample[0], expectedSample[2])
                                .isEqualTo(Double.doubleToRawLongBits(parseGoFloat(expectedSample[1])));
                    }
                }
                assertThat(dumpedIndex).isEqualTo(dumped.size());
                for (int i = 0; i < refs.length; i++) {
                    StoredChunk stored = reader.chunk(refs[i]);
                    SeriesChunkCutter.CutChunk cut = expected.get(i);
                    stored.samples(iterator);
                    assertThat(iterator.next()).isTrue();
                    assertThat(iterator.timestamp()).as("min time of chunk %d", i).isEqualTo(cut.minTime());
                    long last = iterator.timestamp();
                    while (iterator.next()) {
                        last = iterator.timestamp();
                    }
                    assertThat(last).as("max time of chunk %d", i).isEqualTo(cut.maxTime());
                    assertThat(stored.toByteArray()).as("bytes of chunk %d", i).isEqualTo(cut.data());
                }
            }
            Files.move(moved, block);
        }
    }

    /** Dump lines {@code {labels} value timestamp}; consecutive lines with the same labels are one series. */
    private static List<List<String[]>> groupBySeries(List<String> lines) {
        List<List<String[]>> series = new ArrayList<>();
        String current = null;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int timestampStart = line.lastIndexOf(' ');
            int valueStart = line.lastIndexOf(' ', timestampStart - 1);
            String labels = line.substring(0, valueStart);
            String[] sample = {labels, line.substring(valueStart + 1, timestampStart), line.substring(timestampStart + 1)};
            if (!labels.equals(current)) {
                series.add(new ArrayList<>());
                current = labels;
            }
            series.getLast().add(sample);
        }
        return series;
    }

    /** Go's %g output: shortest round-trip digits, NaN, +Inf, -Inf. */
    static double parseGoFloat(String text) {
        return switch (text) {
            case "NaN" -> GO_NAN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
