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
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Float counters with resets read from 5m-downsampled blocks, as Thanos' querier reads them: the {@code counter}
 * aggregate of each chunk starts with the chunk's first raw value, holds a running total per window and ends with the
 * chunk's true last raw value at the last window's timestamp; the querier folds resets inside and between chunks into
 * one running total before {@code rate}/{@code increase} see it. The raw series is 12 h at 30 s, which the downsampler
 * cuts into two chunks at 6 h 05 m; resets fall inside a 5-minute window (3 h 21 m 30 s) and on the first sample of the
 * second chunk. {@code linear_total} restarts at one step's increase, so its downsampled increase equals the raw one
 * wherever the window's first and last samples are window stamps; {@code noisy_total} grows by random amounts and
 * restarts at random values. For both, the expected answers are also computed here from the raw samples by Thanos'
 * downsampling, chunk selection and counter rules and Prometheus 2.42's {@code extrapolatedRate}.
 */
class DownsampledCounterQueryTest {
    private static final long H = 3_600_000L;
    private static final long RES = 300_000L;
    private static final long T0 = 1_700_006_400_000L; // 2h-aligned
    private static final long STEP = 30_000L;
    private static final int SAMPLES = (int) (12 * H / STEP);
    private static final int RESET_IN_WINDOW = 403; // T0 + 3h21m30s, mid-window
    private static final int RESET_AT_CHUNK = 730; // T0 + 6h05m: first sample of the second downsampled chunk
    private static final int BATCH_END = 730; // Thanos' batches: 1440 / 2 + 1 samples, then the rest of that window

    private static final long[] TIMES = new long[SAMPLES];
    private static final double[] LINEAR = new double[SAMPLES];
    private static final double[] NOISY = new double[SAMPLES];

    @TempDir
    static Path work;
    private static BucketStore store;
    private static StoreFixture fixture;
    private static StoreClient client;
    private final PromqlEngine engine = new PromqlEngine();

    @BeforeAll
    static void start() throws Exception {
        Random random = new Random(17);
        double noisy = 40;
        for (int k = 0; k < SAMPLES; k++) {
            TIMES[k] = T0 + k * STEP;
            boolean reset = k == RESET_IN_WINDOW || k == RESET_AT_CHUNK;
            int sinceReset = k < RESET_IN_WINDOW ? k : k < RESET_AT_CHUNK ? k - RESET_IN_WINDOW : k - RESET_AT_CHUNK;
            LINEAR[k] = 2.5 * (sinceReset + 1);
            noisy = reset ? 1 + random.nextInt(7) : noisy + random.nextInt(20) + random.nextDouble();
            NOISY[k] = noisy;
        }
        List<EncodedChunk> linear = chunks(LINEAR);
        List<EncodedChunk> noisyChunks = chunks(NOISY);
        Path raw;
        BlockWriter.Options options = BlockWriter.Options.defaults()
                .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("raw")), T0, T0 + 12 * H, options)) {
            writer.addSeries(Labels.of("__name__", "linear_total", "job", "api"), linear);
            writer.addSeries(Labels.of("__name__", "noisy_total", "job", "api"), noisyChunks);
            writer.commit();
            raw = writer.directory();
        }
        Path fiveMinutes = new Downsampler().downsample(raw, work.resolve("5m"), RES, CompactionProgress.NONE).directory();
        FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
        for (Path block : List.of(raw, fiveMinutes)) {
            DownsampledQueries.upload(bucket, block);
        }
        store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")));
        store.sync();
        fixture = StoreFixture.serve(store);
        client = StoreClient.connect(fixture.address(), Duration.ofSeconds(10));
    }

    private static List<EncodedChunk> chunks(double[] values) {
        List<EncodedChunk> chunks = new ArrayList<>();
        for (SeriesChunkCutter.CutChunk chunk : SeriesChunkCutter.cut(TIMES, values, SAMPLES, SeriesChunkCutter.DEFAULT_CHUNK_RANGE)) {
            chunks.add(new EncodedChunk(chunk.minTime(), chunk.maxTime(), ChunkEncoding.XOR.code(), chunk.data()));
        }
        return chunks;
    }

    @AfterAll
    static void stop() throws Exception {
        DownsampledQueries.close(client, fixture, store);
    }

    private double query(long maxResolution, String query, long time) throws Exception {
        return DownsampledQueries.instantValue(engine, client, maxResolution, query, time);
    }

    /**
     * Evaluation times off the sample and window grid: every 20 minutes from 1 h on, and every 5 minutes around the
     * reset inside a window and around the chunk boundary (as the window's end and as its start).
     */
    private static List<Long> times() {
        java.util.TreeSet<Long> times = new java.util.TreeSet<>();
        for (long t = T0 + H + 137_000; t < T0 + 12 * H; t += 4 * RES) {
            times.add(t);
        }
        for (long from : List.of(T0 + 3 * H + 15 * 60_000, T0 + 5 * H + 55 * 60_000, T0 + 6 * H + 25 * 60_000,
                T0 + 6 * H + 55 * 60_000)) {
            for (int i = 0; i < 4; i++) {
                times.add(from + i * RES + 137_000);
            }
        }
        return List.copyOf(times);
    }

    /**
     * Whether a window edge at {@code t} makes the first or last downsampled sample in the window one of the raw samples
     * at the chunk boundary (the first chunk's capped last window at 6 h 04 m 30 s, the second chunk's first raw value
     * at 6 h 05 m), which lie 30 s off the line through the other windows' stamps: there the downsampled extrapolation
     * differs from the raw one, in Thanos as here.
     */
    private static boolean nearChunkBoundary(long t) {
        return t >= T0 + 6 * H && t < T0 + 6 * H + 2 * RES;
    }

    @Test
    void increaseOverDownsampledCountersEqualsTheRawIncrease() throws Exception {
        for (long time : times()) {
            for (String query : List.of("increase(linear_total[1h])", "rate(linear_total[30m])")) {
                long start = time - (query.contains("[1h]") ? H : 30 * 60_000L);
                if (nearChunkBoundary(time) || nearChunkBoundary(start)) {
                    continue; // the window's first or last sample is a raw one, off the line of window stamps
                }
                double expected = query(0, query, time);
                assertThat(query(RES, query, time)).as(query + " at T0 + " + (time - T0) / 1000 + " s")
                        .isCloseTo(expected, within(Math.abs(expected) * 1e-9));
            }
        }
        // the raw answer itself: 2.5 every 30 s, resets included
        assertThat(query(0, "increase(linear_total[1h])", T0 + 6 * H + 20 * 60_000 + 137_000)).isCloseTo(300, within(1e-9));
    }

    @Test
    void ratesOverDownsampledCountersAreThanosAnswers() throws Exception {
        for (String series : List.of("noisy_total", "linear_total")) {
            List<CounterChunk> chunks = thanosCounterChunks(series.equals("noisy_total") ? NOISY : LINEAR);
            for (long time : times()) {
                for (long range : List.of(H, 30 * 60_000L)) {
                    List<long[]> times = new ArrayList<>();
                    List<Double> values = new ArrayList<>();
                    thanosQuerierSeries(chunks, time - range, time, times, values);
                    // increase over an hour, rate over half an hour
                    boolean rate = range != H;
                    String query = (rate ? "rate(" : "increase(") + series + "[" + range / 60_000 + "m])";
                    double expected = extrapolatedRate(times, values, time, range, rate);
                    assertThat(query(RES, query, time)).as(query + " at T0 + " + (time - T0) / 1000 + " s")
                            .isCloseTo(expected, within(Math.abs(expected) * 1e-12));
                }
            }
        }
    }

    /** The counter aggregate of one downsampled chunk; the chunk's time range is its windows' first and last stamp. */
    private record CounterChunk(long minTime, long maxTime, long[] times, double[] values) {
    }

    /**
     * Thanos' 5m counter aggregates of a raw series, one per raw batch: the batch's first raw sample, each window's
     * running counter (resets folded within the batch) stamped with the window's last millisecond (at most the batch's
     * last sample's time), and the batch's last raw value repeating the last window's stamp.
     */
    private static List<CounterChunk> thanosCounterChunks(double[] raw) {
        List<CounterChunk> chunks = new ArrayList<>();
        for (int[] batch : new int[][] {{0, BATCH_END}, {BATCH_END, SAMPLES}}) {
            int from = batch[0];
            int to = batch[1];
            long batchLast = TIMES[to - 1];
            List<long[]> times = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            times.add(new long[] {TIMES[from]});
            values.add(raw[from]);
            double counter = raw[from];
            for (int k = from; k < to; k++) {
                if (k > from) {
                    counter += raw[k] < raw[k - 1] ? raw[k] : raw[k] - raw[k - 1];
                }
                long end = Math.min(TIMES[k] - TIMES[k] % RES + RES - 1, batchLast);
                if (k == to - 1 || TIMES[k + 1] > end) {
                    times.add(new long[] {end});
                    values.add(counter);
                }
            }
            times.add(times.getLast());
            values.add(raw[to - 1]);
            chunks.add(new CounterChunk(times.get(1)[0], times.getLast()[0], times.stream().mapToLong(t -> t[0]).toArray(),
                    values.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return chunks;
    }

    /**
     * What Thanos' querier hands PromQL for a selection of [start, end]: the chunks whose time range overlaps it (as the
     * store gateway picks them), their counters with resets applied across chunks — a running total, a repeated
     * timestamp only updating the last raw value — bounded to the selection.
     */
    private static void thanosQuerierSeries(List<CounterChunk> chunks, long start, long end, List<long[]> times, List<Double> values) {
        boolean first = true;
        long lastT = 0;
        double lastV = 0;
        double total = 0;
        for (CounterChunk chunk : chunks) {
            if (chunk.maxTime() < start || chunk.minTime() > end) {
                continue;
            }
            for (int i = 0; i < chunk.times().length; i++) {
                long t = chunk.times()[i];
                double v = chunk.values()[i];
                if (first) {
                    first = false;
                    total = v;
                } else if (t > lastT) {
                    total += v >= lastV ? v - lastV : v;
                } else {
                    if (t == lastT) {
                        lastV = v;
                    }
                    continue;
                }
                lastT = t;
                lastV = v;
                if (t >= start && t <= end) {
                    times.add(new long[] {t});
                    values.add(total);
                }
            }
        }
    }

    /** Prometheus 2.42's extrapolatedRate for a counter over the samples in [time - range, time]. */
    private static double extrapolatedRate(List<long[]> times, List<Double> values, long time, long range, boolean rate) {
        long start = time - range;
        int first = -1;
        int last = -1;
        for (int i = 0; i < times.size(); i++) {
            long t = times.get(i)[0];
            if (t >= start && t <= time) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        assertThat(last - first).as("samples in the window at " + time).isGreaterThanOrEqualTo(1);
        double result = values.get(last) - values.get(first);
        double previous = values.get(first);
        for (int i = first + 1; i <= last; i++) {
            if (values.get(i) < previous) {
                result += previous;
            }
            previous = values.get(i);
        }
        double durationToStart = (times.get(first)[0] - start) / 1000.0;
        double durationToEnd = (time - times.get(last)[0]) / 1000.0;
        double sampledInterval = (times.get(last)[0] - times.get(first)[0]) / 1000.0;
        double averageDurationBetweenSamples = sampledInterval / (last - first);
        if (result > 0 && values.get(first) >= 0) {
            double durationToZero = sampledInterval * (values.get(first) / result);
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        double threshold = averageDurationBetweenSamples * 1.1;
        double extrapolateToInterval = sampledInterval;
        extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
        extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
        result = result * (extrapolateToInterval / sampledInterval);
        return rate ? result / (range / 1000.0) : result;
    }
}
