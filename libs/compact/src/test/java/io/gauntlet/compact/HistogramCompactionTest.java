package io.gauntlet.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.store.ChunksSampleIterator;
import io.gauntlet.store.PenaltyDeduplicator;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks holding native histograms compact horizontally (chunks untouched) and vertically (penalty deduplicated). */
class HistogramCompactionTest {
    private static final long HOUR = 3_600_000L;
    private static final Labels SERIES = Labels.of("__name__", "latency_seconds", "job", "api");

    @TempDir
    Path dir;

    /** One histogram series every 15 s (+ jitter): buckets grow, a counter reset at 40 %, a new bucket at 70 %. */
    private static BlockMeta write(Path parent, long min, long max, Map<String, String> labels, long jitter) throws Exception {
        List<EncodedChunk> chunks = new ArrayList<>();
        HistogramChunkCutter cutter = new HistogramChunkCutter(SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                (encoding, minTime, maxTime, n, data) -> chunks.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
        long resetAt = min + (max - min) * 4 / 10;
        long widenAt = min + (max - min) * 7 / 10;
        for (long t = min + jitter; t < max; t += 15_000) {
            long n = (t < resetAt ? t - min : t - resetAt) / 15_000 + 1;
            boolean wide = t >= widenAt;
            Span[] spans = wide ? new Span[] {new Span(-1, 4)} : new Span[] {new Span(0, 3)};
            long[] deltas = wide ? new long[] {1, n - 1, n, -n} : new long[] {n, n, -n};
            long count = Arrays.stream(absolute(deltas)).sum();
            cutter.appendHistogram(t, new Histogram(null, 2, 0.001, 0, count, n * 0.75, spans, deltas, null, null));
        }
        cutter.finish();
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(labels, 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(parent, min, max, options)) {
            writer.addSeries(SERIES, chunks);
            return writer.commit();
        }
    }

    private static long[] absolute(long[] deltas) {
        long[] counts = new long[deltas.length];
        long current = 0;
        for (int i = 0; i < deltas.length; i++) {
            current += deltas[i];
            counts[i] = current;
        }
        return counts;
    }

    static List<EncodedChunk> chunks(Path block) throws Exception {
        try (BlockReader reader = BlockReader.open(block)) {
            ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            List<EncodedChunk> all = new ArrayList<>();
            while (set.next()) {
                all.addAll(set.chunks());
            }
            return all;
        }
    }

    private static List<String> samples(SampleIterator it) throws Exception {
        List<String> out = new ArrayList<>();
        while (it.next()) {
            FloatHistogram h = it.floatHistogram();
            out.add(it.timestamp() + "=" + h.count() + "/" + h.sum() + "/" + Arrays.toString(h.positiveSpans())
                    + Arrays.toString(h.positiveBuckets()));
        }
        return out;
    }

    @Test
    void horizontalCompactionPassesHistogramChunksUntouched() throws Exception {
        Map<String, String> labels = Map.of("cluster", "eu-1");
        Path parent = dir.resolve("sources");
        BlockMeta first = write(parent, 0, 2 * HOUR, labels, 0);
        BlockMeta second = write(parent, 2 * HOUR, 4 * HOUR, labels, 0);
        List<Path> sources = List.of(parent.resolve(first.ulid().toString()), parent.resolve(second.ulid().toString()));
        BlockCompactor.Result result = BlockCompactor.compact(sources, dir.resolve("out"), labels, Deduplication.NONE,
                CompactionProgress.NONE);
        List<EncodedChunk> expected = new ArrayList<>(chunks(sources.get(0)));
        expected.addAll(chunks(sources.get(1)));
        assertThat(chunks(result.directory())).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(expected);
        assertThat(result.meta().stats().numSamples()).isEqualTo(first.stats().numSamples() + second.stats().numSamples());
        assertThat(result.meta().stats().numSamples()).isEqualTo(960);
        assertThat(BlockVerifier.verify(result.directory())).isEmpty();
    }

    @Test
    void haReplicasOfHistogramsAreMergedAsTheQueriersPenaltyDeduplicationReturnsThem() throws Exception {
        Path parent = dir.resolve("replicas");
        BlockMeta r0 = write(parent, 0, 2 * HOUR, Map.of("cluster", "eu-1", "replica", "0"), 0);
        BlockMeta r1 = write(parent, 0, 2 * HOUR, Map.of("cluster", "eu-1", "replica", "1"), 7_000);
        List<Path> sources = List.of(parent.resolve(r0.ulid().toString()), parent.resolve(r1.ulid().toString()));
        BlockCompactor.Result result = BlockCompactor.compact(sources, dir.resolve("out"), Map.of("cluster", "eu-1"),
                Deduplication.PENALTY, CompactionProgress.NONE);
        List<String> expected = samples(PenaltyDeduplicator.of(List.of(new ChunksSampleIterator(chunks(sources.get(0)), null),
                new ChunksSampleIterator(chunks(sources.get(1)), null)), false));
        List<EncodedChunk> merged = chunks(result.directory());
        assertThat(merged).extracting(EncodedChunk::encoding).containsOnly(2);
        assertThat(expected).hasSizeGreaterThan(480); // the penalty switches to the jittered replica after the first sample
        assertThat(samples(new ChunksSampleIterator(merged, null))).containsExactlyElementsOf(expected);
        assertThat(result.meta().stats().numSamples()).isEqualTo(expected.size());
        assertThat(BlockVerifier.verify(result.directory())).isEmpty();
    }
}
