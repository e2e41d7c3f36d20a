package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.compact.CompactionProgress;
import io.gauntlet.compact.Downsampler;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.StoreClient;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms through the whole downsampled read path: the compactor's downsampler writes 5m and 1h blocks of a
 * raw block, a store gateway serves all three from one bucket, and the querier picks the resolution from
 * {@code max_source_resolution}. The counter histogram grows by the same histogram every 30 s and resets once, so a
 * rate over downsampled counters must equal the rate over raw samples (both extrapolate to the same straight line):
 * {@code rate}, {@code histogram_count/sum/quantile/fraction} of it agree to float rounding. A selector without a
 * rate reads a window's sum divided by its count (Thanos' average), the mean of the window's raw histograms.
 */
class DownsampledHistogramQueryTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_006_400_000L; // 2h-aligned
    private static final long STEP = 30_000L;
    private static final int SAMPLES = (int) (12 * H / STEP);
    private static final int RESET_AT = (int) (7 * H / STEP);
    private static final String M = "rpc_duration_seconds";

    @TempDir
    static Path work;
    private static BucketStore store;
    private static StoreFixture fixture;
    private static StoreClient client;
    private final PromqlEngine engine = new PromqlEngine();

    /** Multiplier of the k-th sample: 1, 2, … then 1, 2, … again after the reset. */
    private static long c(int k) {
        return k < RESET_AT ? k + 1 : k - RESET_AT + 1;
    }

    private static Histogram sample(int k) {
        long c = c(k);
        // zero bucket c, buckets 1c 3c 5c | 2c 1c: count 13c
        return new Histogram(null, 1, 0.001, c, 13 * c, 2.5 * c, new Span[] {new Span(-1, 2), new Span(1, 3)},
                new long[] {c, 2 * c, 2 * c, -3 * c, -c}, null, null);
    }

    @BeforeAll
    static void start() throws Exception {
        List<EncodedChunk> chunks = new ArrayList<>();
        HistogramChunkCutter cutter = new HistogramChunkCutter(SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                (encoding, minTime, maxTime, n, data) -> chunks.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
        for (int k = 0; k < SAMPLES; k++) {
            cutter.appendHistogram(T0 + k * STEP, sample(k));
        }
        cutter.finish();
        Path raw;
        BlockWriter.Options options = BlockWriter.Options.defaults()
                .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("raw")), T0, T0 + 12 * H, options)) {
            writer.addSeries(Labels.of("__name__", M, "job", "api"), chunks);
            writer.commit();
            raw = writer.directory();
        }
        Path fiveMinutes = new Downsampler().downsample(raw, work.resolve("5m"), 300_000, CompactionProgress.NONE).directory();
        Path oneHour = new Downsampler().downsample(fiveMinutes, work.resolve("1h"), H, CompactionProgress.NONE).directory();

        FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
        for (Path block : List.of(raw, fiveMinutes, oneHour)) {
            DownsampledQueries.upload(bucket, block);
        }
        store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")));
        store.sync();
        fixture = StoreFixture.serve(store);
        client = StoreClient.connect(fixture.address(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        DownsampledQueries.close(client, fixture, store);
    }

    private double query(long maxResolution, String query, long time) throws Exception {
        return DownsampledQueries.instantValue(engine, client, maxResolution, query, time);
    }

    private void assertSameAsRaw(long resolution, String range) throws Exception {
        // the downsampled answer comes from aggregates: one counter per window in the range
        long windows = (range.equals("[1h]") ? H : 4 * H) / resolution;
        assertThat(query(resolution, "count_over_time(" + M + range + ")", T0 + 5 * H)).isEqualTo(windows);
        List<String> queries = List.of("histogram_count(rate(" + M + range + "))", "histogram_sum(rate(" + M + range + "))",
                "histogram_quantile(0.9, rate(" + M + range + "))",
                "histogram_fraction(0, 1, rate(" + M + range + "))");
        // before and across the 5m block's chunk boundary (~6h), across the reset (7h), after it
        for (long time : List.of(T0 + 5 * H, T0 + 6 * H + 30 * 60_000, T0 + 7 * H + 20 * 60_000, T0 + 10 * H)) {
            for (String query : queries) {
                double expected = query(0, query, time);
                assertThat(query(resolution, query, time)).as(query + " at T0 + " + (time - T0) / 60_000 + "m")
                        .isCloseTo(expected, within(Math.abs(expected) * 1e-9));
            }
        }
    }

    @Test
    void ratesOverFiveMinuteCountersEqualRawRates() throws Exception {
        assertSameAsRaw(300_000, "[1h]");
        // the raw answer itself: 13 observations every 30 s
        assertThat(query(0, "histogram_count(rate(" + M + "[1h]))", T0 + 10 * H)).isCloseTo(13.0 / 30, within(1e-12));
    }

    @Test
    void ratesOverOneHourCountersEqualRawRates() throws Exception {
        assertSameAsRaw(H, "[4h]");
    }

    @Test
    void aSelectorReadsTheWindowsAverageHistogram() throws Exception {
        long time = T0 + 3 * H;
        for (long resolution : List.of(300_000L, H)) {
            // the window ending 1 ms before the evaluation time: the raw samples of [time - resolution, time)
            double count = 0;
            double sum = 0;
            int n = 0;
            for (int k = (int) ((time - resolution - T0) / STEP); k < (time - T0) / STEP; k++) {
                count += 13 * c(k);
                sum += 2.5 * c(k);
                n++;
            }
            assertThat(query(resolution, "histogram_count(" + M + ")", time)).isEqualTo(count / n);
            assertThat(query(resolution, "histogram_sum(" + M + ")", time)).isEqualTo(sum / n);
        }
        assertThat(query(0, "histogram_count(" + M + ")", time)).isEqualTo(13.0 * c((int) (3 * H / STEP)));
    }
}
