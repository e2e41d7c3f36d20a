package io.gauntlet.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.FloatHistogramSampleIterator;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms downsampled as Thanos does it, checked on a series small enough to compute by hand: one sample a
 * minute for 15 minutes, schema 0, buckets {@code [c, 2c]} (count 3c, sum 1.5c) with c = 1..12, then a counter reset
 * and c = 1..3.
 */
class HistogramDownsamplingTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final Labels SERIES = Labels.of("__name__", "latency_seconds", "job", "api");

    @TempDir
    Path dir;

    private static Histogram histogram(long c, CounterResetHint hint) {
        return new Histogram(hint, 0, 0.001, 0, 3 * c, 1.5 * c, new Span[] {new Span(0, 2)}, new long[] {c, c}, null, null);
    }

    private Path rawBlock(boolean gauge, boolean floatsFirst) throws Exception {
        List<EncodedChunk> chunks = new ArrayList<>();
        HistogramChunkCutter cutter = new HistogramChunkCutter(SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                (encoding, minTime, maxTime, n, data) -> chunks.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
        long start = 0;
        if (floatsFirst) {
            for (int k = 0; k < 5; k++) {
                cutter.appendFloat(k * MINUTE, k);
            }
            start = 5 * MINUTE;
        }
        for (int k = 0; k < 15; k++) {
            long c = k < 12 ? k + 1 : k - 11;
            cutter.appendHistogram(start + k * MINUTE, histogram(c, gauge ? CounterResetHint.GAUGE : null));
        }
        cutter.finish();
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(dir.resolve("raw"), 0, 2 * HOUR, options)) {
            writer.addSeries(SERIES, chunks);
            writer.commit();
            return writer.directory();
        }
    }

    private static List<String> floats(AggregateChunk chunk, AggregateType type) throws Exception {
        List<String> out = new ArrayList<>();
        XorSampleIterator it = chunk.samples(type, null);
        while (it.next()) {
            out.add(it.timestamp() + "=" + it.value());
        }
        return out;
    }

    /** Each histogram as {@code t=count/sum/spans/buckets}. */
    private static List<String> histograms(AggregateChunk chunk, AggregateType type) throws Exception {
        List<String> out = new ArrayList<>();
        SampleIterator it = chunk.decode(type, new ChunkDecoders());
        while (it.next()) {
            FloatHistogram h = it.floatHistogram();
            StringBuilder spans = new StringBuilder("[");
            for (Span span : h.positiveSpans()) {
                spans.append(spans.length() > 1 ? ", " : "").append(span.offset()).append(':').append(span.length());
            }
            out.add(it.timestamp() + "=" + h.count() + "/" + h.sum() + "/" + spans + "]" + Arrays.toString(h.positiveBuckets()));
        }
        return out;
    }

    private static CounterResetHint header(AggregateChunk chunk, AggregateType type) throws Exception {
        return new FloatHistogramSampleIterator().reset(chunk.toByteArray(type)).counterResetHeader();
    }

    private static BlockCompactor.Result downsample(Path source, Path out, long resolution) throws Exception {
        return new Downsampler().downsample(source, out, resolution, CompactionProgress.NONE);
    }

    @Test
    void fiveMinuteAndOneHourAggregatesOfACounterHistogram() throws Exception {
        Path raw = rawBlock(false, false);
        BlockCompactor.Result fiveMinutes = downsample(raw, dir.resolve("5m"), 5 * MINUTE);
        List<EncodedChunk> chunks = HistogramCompactionTest.chunks(fiveMinutes.directory());
        assertThat(chunks).hasSize(1);
        assertThat(chunks.getFirst().encoding()).isEqualTo(ChunkEncoding.AGGREGATE.code());
        assertThat(chunks.getFirst().minTime()).isEqualTo(299_999);
        assertThat(chunks.getFirst().maxTime()).isEqualTo(840_000);
        AggregateChunk chunk = AggregateChunk.decode(chunks.getFirst().data());
        assertThat(chunk.has(AggregateType.MIN)).isFalse();
        assertThat(chunk.has(AggregateType.MAX)).isFalse();
        assertThat(chunk.encodingCode(AggregateType.COUNT)).isEqualTo(ChunkEncoding.XOR.code());
        assertThat(chunk.encodingCode(AggregateType.SUM)).isEqualTo(ChunkEncoding.FLOAT_HISTOGRAM.code());
        assertThat(chunk.encodingCode(AggregateType.COUNTER)).isEqualTo(ChunkEncoding.FLOAT_HISTOGRAM.code());
        // windows end at 5m - 1 ms, the last one at the last sample
        assertThat(floats(chunk, AggregateType.COUNT)).containsExactly("299999=5.0", "599999=5.0", "840000=5.0");
        // c = 1..5, 6..10, then 11 + 12 + 1 + 2 + 3
        assertThat(histograms(chunk, AggregateType.SUM)).containsExactly(
                "299999=45.0/22.5/[0:2][15.0, 30.0]", "599999=120.0/60.0/[0:2][40.0, 80.0]", "840000=87.0/43.5/[0:2][29.0, 58.0]");
        // the running counter: c = 5, 10, then 12 + 3 after the reset (the reset adds the whole new histogram)
        assertThat(histograms(chunk, AggregateType.COUNTER)).containsExactly(
                "299999=15.0/7.5/[0:2][5.0, 10.0]", "599999=30.0/15.0/[0:2][10.0, 20.0]", "840000=45.0/22.5/[0:2][15.0, 30.0]");
        assertThat(header(chunk, AggregateType.SUM)).isEqualTo(CounterResetHint.GAUGE);
        assertThat(header(chunk, AggregateType.COUNTER)).isEqualTo(CounterResetHint.NOT_COUNTER_RESET);
        assertThat(fiveMinutes.meta().thanos().downsample().resolution()).isEqualTo(5 * MINUTE);
        assertThat(BlockVerifier.verify(fiveMinutes.directory())).isEmpty();

        // 5m to 1h: one window, counters continue, sums and counts add up
        BlockCompactor.Result oneHour = downsample(fiveMinutes.directory(), dir.resolve("1h"), HOUR);
        List<EncodedChunk> hourly = HistogramCompactionTest.chunks(oneHour.directory());
        assertThat(hourly).hasSize(1);
        assertThat(hourly.getFirst().minTime()).isEqualTo(840_000);
        assertThat(hourly.getFirst().maxTime()).isEqualTo(840_000);
        AggregateChunk hour = AggregateChunk.decode(hourly.getFirst().data());
        assertThat(floats(hour, AggregateType.COUNT)).containsExactly("840000=15.0");
        assertThat(histograms(hour, AggregateType.SUM)).containsExactly("840000=252.0/126.0/[0:2][84.0, 168.0]");
        assertThat(histograms(hour, AggregateType.COUNTER)).containsExactly("840000=45.0/22.5/[0:2][15.0, 30.0]");
        assertThat(hour.has(AggregateType.MIN) || hour.has(AggregateType.MAX)).isFalse();
        assertThat(BlockVerifier.verify(oneHour.directory())).isEmpty();
    }

    @Test
    void gaugeHistogramsMarkBothHistogramPartsAsGauges() throws Exception {
        BlockCompactor.Result fiveMinutes = downsample(rawBlock(true, false), dir.resolve("5m"), 5 * MINUTE);
        AggregateChunk chunk = AggregateChunk.decode(HistogramCompactionTest.chunks(fiveMinutes.directory()).getFirst().data());
        assertThat(header(chunk, AggregateType.SUM)).isEqualTo(CounterResetHint.GAUGE);
        assertThat(header(chunk, AggregateType.COUNTER)).isEqualTo(CounterResetHint.GAUGE);
        // a gauge never resets: the counter follows its value down
        assertThat(histograms(chunk, AggregateType.COUNTER)).containsExactly(
                "299999=15.0/7.5/[0:2][5.0, 10.0]", "599999=30.0/15.0/[0:2][10.0, 20.0]", "840000=9.0/4.5/[0:2][3.0, 6.0]");
    }

    @Test
    void aSeriesTurningFromFloatsIntoHistogramsIsDownsampledInTwoRuns() throws Exception {
        BlockCompactor.Result fiveMinutes = downsample(rawBlock(false, true), dir.resolve("5m"), 5 * MINUTE);
        List<EncodedChunk> chunks = HistogramCompactionTest.chunks(fiveMinutes.directory());
        assertThat(chunks).hasSize(2);
        AggregateChunk floats = AggregateChunk.decode(chunks.get(0).data());
        AggregateChunk histograms = AggregateChunk.decode(chunks.get(1).data());
        assertThat(floats.encodingCode(AggregateType.COUNTER)).isEqualTo(ChunkEncoding.XOR.code());
        assertThat(floats(floats, AggregateType.SUM)).containsExactly("240000=10.0");
        assertThat(HistogramDownsampling.isHistogramAggregate(histograms)).isTrue();
        assertThat(floats(histograms, AggregateType.COUNT)).containsExactly("599999=5.0", "899999=5.0", "1140000=5.0");

        // and stay two runs at 1h
        BlockCompactor.Result oneHour = downsample(fiveMinutes.directory(), dir.resolve("1h"), HOUR);
        List<EncodedChunk> hourly = HistogramCompactionTest.chunks(oneHour.directory());
        assertThat(hourly).hasSize(2);
        assertThat(floats(AggregateChunk.decode(hourly.get(0).data()), AggregateType.COUNT)).containsExactly("240000=5.0");
        assertThat(histograms(AggregateChunk.decode(hourly.get(1).data()), AggregateType.SUM))
                .containsExactly("1140000=252.0/126.0/[0:2][84.0, 168.0]");
    }
}
