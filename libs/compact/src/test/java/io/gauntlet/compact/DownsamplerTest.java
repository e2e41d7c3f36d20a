package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownsamplerTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "eu-1");

    @TempDir
    Path dir;

    /** Raw samples per series, kept to compute the expected aggregates directly. */
    private final Map<String, long[]> rawTimes = new TreeMap<>();
    private final Map<String, double[]> rawValues = new TreeMap<>();

    private BlockMeta rawBlock(long minTime, long maxTime, long interval) throws Exception {
        Random random = new Random(7);
        try (BlockWriter writer = BlockWriter.create(dir.resolve("raw"), minTime, maxTime,
                BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(LABELS, 0, "sidecar")))) {
            for (int s = 0; s < 4; s++) {
                Labels labels = Labels.of("__name__", s < 2 ? "requests_total" : "temperature", "instance", "host-" + s);
                int n = (int) ((maxTime - minTime) / interval);
                long[] ts = new long[n];
                double[] vs = new double[n];
                double value = 0;
                for (int i = 0; i < n; i++) {
                    ts[i] = minTime + i * interval + random.nextInt(2000);
                    if (s < 2) {
                        value = random.nextInt(1000) == 0 ? random.nextInt(5) : value + random.nextInt(20);
                    } else {
                        value = 15 + 10 * Math.sin(ts[i] / 3_600_000.0) + random.nextGaussian();
                    }
                    vs[i] = value;
                }
                writer.addSeries(labels, ts, vs, n);
                rawTimes.put(labels.toString(), ts);
                rawValues.put(labels.toString(), vs);
            }
            return writer.commit();
        }
    }

    /** window end → {count, sum, min, max} straight from the raw samples. */
    private static Map<Long, double[]> expectedWindows(long[] ts, double[] vs, long resolution) {
        Map<Long, double[]> windows = new TreeMap<>();
        for (int i = 0; i < ts.length; i++) {
            double[] w = windows.computeIfAbsent(Downsampling.currentWindow(ts[i], resolution),
                    key -> new double[] {0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
            w[0]++;
            w[1] += vs[i];
            w[2] = Math.min(w[2], vs[i]);
            w[3] = Math.max(w[3], vs[i]);
        }
        return windows;
    }

    private static Map<String, Map<Long, double[]>> downsampledWindows(Path block, long resolution) throws Exception {
        Map<String, Map<Long, double[]>> result = new TreeMap<>();
        try (BlockReader reader = BlockReader.open(block)) {
            ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            while (set.next()) {
                Map<Long, double[]> windows = new TreeMap<>();
                for (var chunk : set.chunks()) {
                    assertThat(chunk.encoding()).isEqualTo(0xFF);
                    AggregateChunk aggregate = AggregateChunk.decode(chunk.data());
                    List<AggregateType> types = List.of(AggregateType.COUNT, AggregateType.SUM, AggregateType.MIN, AggregateType.MAX);
                    for (int k = 0; k < types.size(); k++) {
                        XorSampleIterator it = aggregate.samples(types.get(k), null);
                        while (it.next()) {
                            long window = Downsampling.currentWindow(it.timestamp(), resolution);
                            windows.computeIfAbsent(window, key -> new double[4])[k] = it.value();
                        }
                    }
                }
                result.put(set.labels().toString(), windows);
            }
        }
        return result;
    }

    private void assertAggregatesMatchRaw(Path block, long resolution) throws Exception {
        Map<String, Map<Long, double[]>> actual = downsampledWindows(block, resolution);
        assertThat(actual.keySet()).isEqualTo(rawTimes.keySet());
        for (String series : rawTimes.keySet()) {
            Map<Long, double[]> expected = expectedWindows(rawTimes.get(series), rawValues.get(series), resolution);
            assertThat(actual.get(series).keySet()).as(series).isEqualTo(expected.keySet());
            expected.forEach((window, values) -> {
                double[] got = actual.get(series).get(window);
                assertThat(got[0]).as("count of %s at %d", series, window).isEqualTo(values[0]);
                assertThat(got[1]).as("sum").isCloseTo(values[1], within(1e-9 * Math.max(1, Math.abs(values[1]))));
                assertThat(got[2]).as("min").isEqualTo(values[2]);
                assertThat(got[3]).as("max").isEqualTo(values[3]);
            });
        }
    }

    /** The counter aggregate: starts with the first raw value, ends with the last, and its increase is the raw increase. */
    private void assertCountersKeepTheRawIncrease(Path block) throws Exception {
        try (BlockReader reader = BlockReader.open(block)) {
            ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            while (set.next()) {
                if (!set.labels().get("__name__").equals("requests_total")) {
                    continue;
                }
                long[] ts = rawTimes.get(set.labels().toString());
                double[] vs = rawValues.get(set.labels().toString());
                double rawIncrease = 0;
                for (int i = 1; i < vs.length; i++) {
                    rawIncrease += vs[i] >= vs[i - 1] ? vs[i] - vs[i - 1] : vs[i];
                }
                List<AggregateChunk> chunks = new ArrayList<>();
                for (var chunk : set.chunks()) {
                    chunks.add(AggregateChunk.decode(chunk.data()));
                }
                XorSampleIterator first = chunks.getFirst().samples(AggregateType.COUNTER, null);
                assertThat(first.next()).isTrue();
                assertThat(first.timestamp()).isEqualTo(ts[0]);
                assertThat(first.value()).isEqualTo(vs[0]);
                Downsampling.CounterResets counter = new Downsampling.CounterResets(chunks);
                double start = Double.NaN;
                double end = Double.NaN;
                while (counter.next()) {
                    if (Double.isNaN(start)) {
                        start = counter.value;
                    }
                    end = counter.value;
                }
                assertThat(end - start).isCloseTo(rawIncrease, within(1e-6));
                assertThat(counter.lastV).isEqualTo(vs[vs.length - 1]);
            }
        }
    }

    /**
     * A rate over each hour from the downsampled counter (resets applied across chunks, as the store serves it) stays
     * within 5% of the same rate over the raw samples (resets folded in): within an hour the 5m series spans 55 minutes,
     * the raw one 60.
     */
    private void assertHourlyRatesWithinTolerance(Path block) throws Exception {
        try (BlockReader reader = BlockReader.open(block)) {
            ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            while (set.next()) {
                if (!set.labels().get("__name__").equals("requests_total")) {
                    continue;
                }
                long[] ts = rawTimes.get(set.labels().toString());
                double[] vs = rawValues.get(set.labels().toString());
                double[] folded = new double[vs.length];
                for (int i = 1; i < vs.length; i++) {
                    folded[i] = folded[i - 1] + (vs[i] >= vs[i - 1] ? vs[i] - vs[i - 1] : vs[i]);
                }
                List<AggregateChunk> chunks = new ArrayList<>();
                for (var chunk : set.chunks()) {
                    chunks.add(AggregateChunk.decode(chunk.data()));
                }
                List<long[]> downTimes = new ArrayList<>();
                List<Double> downValues = new ArrayList<>();
                Downsampling.CounterResets counter = new Downsampling.CounterResets(chunks);
                while (counter.next()) {
                    downTimes.add(new long[] {counter.lastT});
                    downValues.add(counter.value);
                }
                for (long hour = ts[0] / HOUR * HOUR + HOUR; hour + HOUR <= ts[ts.length - 1]; hour += HOUR) {
                    double raw = rate(ts, folded, hour, hour + HOUR);
                    long[] dt = downTimes.stream().mapToLong(t -> t[0]).toArray();
                    double[] dv = downValues.stream().mapToDouble(Double::doubleValue).toArray();
                    double down = rate(dt, dv, hour, hour + HOUR);
                    assertThat(down).as("rate of %s in [%d, %d)", set.labels(), hour, hour + HOUR).isCloseTo(raw, within(0.05 * Math.abs(raw) + 1e-9));
                }
            }
        }
    }

    /** (last - first) / (tLast - tFirst) over the samples in [from, to), per second. */
    private static double rate(long[] ts, double[] vs, long from, long to) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] >= from && ts[i] < to) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        return (vs[last] - vs[first]) / ((ts[last] - ts[first]) / 1000.0);
    }

    @Test
    void fiveMinuteAggregatesEqualTheAggregatesOfTheRawSamples() throws Exception {
        BlockMeta raw = rawBlock(0, 40 * HOUR, 15_000);
        BlockCompactor.Result result = new Downsampler().downsample(dir.resolve("raw").resolve(raw.ulid().toString()), dir.resolve("5m"),
                300_000, CompactionProgress.NONE);
        BlockMeta meta = result.meta();
        assertThat(meta.thanos().downsample().resolution()).isEqualTo(300_000);
        assertThat(meta.minTime()).isEqualTo(raw.minTime());
        assertThat(meta.maxTime()).isEqualTo(raw.maxTime());
        assertThat(meta.compaction().sources()).isEqualTo(raw.compaction().sources());
        assertThat(BlockVerifier.verify(result.directory())).isEmpty();
        assertAggregatesMatchRaw(result.directory(), 300_000);
        assertCountersKeepTheRawIncrease(result.directory());
        assertHourlyRatesWithinTolerance(result.directory());
    }

    @Test
    void oneHourAggregatesFromFiveMinuteBlocksEqualTheAggregatesOfTheRawSamples() throws Exception {
        BlockMeta raw = rawBlock(0, 10 * 24 * HOUR, 60_000);
        Downsampler downsampler = new Downsampler();
        BlockCompactor.Result fiveMinutes = downsampler.downsample(dir.resolve("raw").resolve(raw.ulid().toString()), dir.resolve("5m"),
                300_000, CompactionProgress.NONE);
        BlockCompactor.Result oneHour = downsampler.downsample(fiveMinutes.directory(), dir.resolve("1h"), 3_600_000, CompactionProgress.NONE);
        assertThat(oneHour.meta().thanos().downsample().resolution()).isEqualTo(3_600_000);
        assertThat(BlockVerifier.verify(oneHour.directory())).isEmpty();
        assertAggregatesMatchRaw(oneHour.directory(), 3_600_000);
        assertCountersKeepTheRawIncrease(oneHour.directory());
    }

    @Test
    void theCompactorDownsamplesA40HourBlockOnce() throws Exception {
        BlockMeta raw = rawBlock(0, 48 * HOUR, 60_000);
        FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        BlockTransfer.upload(bucket, dir.resolve("raw").resolve(raw.ulid().toString()), raw.ulid());
        CompactorTest.MutableClock clock = new CompactorTest.MutableClock(Instant.now().plusSeconds(60));
        Compactor compactor = new Compactor(bucket, CompactorOptions.defaults(dir.resolve("scratch")).withDelays(Duration.ZERO, Duration.ofHours(48)),
                BlockEventSink.NONE, new CompactorMetrics(new SimpleMeterRegistry()), clock);

        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isEqualTo(1);
        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isZero();
        List<BlockMeta> fiveMinute = new BucketScan(bucket).scan().metas().values().stream()
                .filter(meta -> meta.thanos().downsample().resolution() == 300_000).toList();
        assertThat(fiveMinute).hasSize(1);
        assertThat(fiveMinute.getFirst().compaction().sources()).containsExactly(raw.ulid());
        assertThat(fiveMinute.getFirst().thanos().source()).isEqualTo("compactor");
    }

    @Test
    void aBlockMarkedNoDownsampleStaysRawAndTheDownsampledBlockIsWrittenAsThanosWritesIt() throws Exception {
        BlockMeta raw = rawBlock(0, 48 * HOUR, 60_000);
        FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        BlockTransfer.upload(bucket, dir.resolve("raw").resolve(raw.ulid().toString()), raw.ulid());
        byte[] mark = io.gauntlet.tsdb.block.NoDownsampleMark.of(raw.ulid(), "", 1, "manual").toJson();
        bucket.upload(raw.ulid() + "/no-downsample-mark.json", new java.io.ByteArrayInputStream(mark), mark.length);
        CompactorTest.MutableClock clock = new CompactorTest.MutableClock(Instant.now().plusSeconds(60));
        Compactor compactor = new Compactor(bucket, CompactorOptions.defaults(dir.resolve("scratch")).withDelays(Duration.ZERO, Duration.ofHours(48)),
                BlockEventSink.NONE, new CompactorMetrics(new SimpleMeterRegistry()), clock);

        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isZero();

        bucket.delete(raw.ulid() + "/no-downsample-mark.json");
        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isEqualTo(1);
        BlockMeta fiveMinute = new BucketScan(bucket).scan().metas().values().stream()
                .filter(meta -> meta.thanos().downsample().resolution() == 300_000).findFirst().orElseThrow();
        assertThat(fiveMinute.thanos().segmentFiles()).containsExactly("000001");
        assertThat(fiveMinute.thanos().indexStats().seriesMaxSize()).isPositive();
        assertThat(fiveMinute.thanos().indexStats().chunkMaxSize()).isPositive();
        assertThat(fiveMinute.thanos().uploadInstant()).isPresent();
        assertThat(fiveMinute.thanos().labels()).isEqualTo(raw.thanos().labels());
    }
}
