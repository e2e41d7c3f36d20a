package io.gauntlet.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.compact.CompactionProgress;
import io.gauntlet.compact.Downsampler;
import io.gauntlet.seed.MinimalProfile;
import io.gauntlet.seed.Seeder;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downsampling check's expectation against the compactor's own downsampler: two days of the minimal profile
 * downsampled to 5m and then 1h give, hour by hour as a range function at {@code h + 30s} reads the aggregates, what
 * the check computes from the raw samples.
 */
class DownsampledCheckTest {
    private static final long TWO_DAYS = 48 * DownsampledCheck.HOUR;

    @TempDir
    Path directory;

    @Test
    void theHourlyExpectationIsWhatTheDownsampledAggregatesGive() throws Exception {
        long end = Math.floorDiv(1_764_460_800_000L, TWO_DAYS) * TWO_DAYS;
        Seeder.Options seeded = new Seeder.Options(new MinimalProfile(), 1, end - TWO_DAYS, end, 60_000, 42, Map.of("cluster", "test"),
                "prometheus_replica", List.of("a"), TWO_DAYS, 3);
        List<Path> raw = new ArrayList<>();
        Path made = Files.createDirectories(directory.resolve("blocks"));
        Seeder.run(seeded, directory.resolve("scratch"), (replica, meta, block) -> {
            Path moved = made.resolve(meta.ulid().toString());
            Files.move(block, moved);
            raw.add(moved);
        }, (done, total, samples) -> { });
        assertThat(raw).hasSize(1);

        Downsampler downsampler = new Downsampler();
        Path fiveMinutes = downsampler.downsample(raw.getFirst(), made, 300_000, CompactionProgress.NONE).directory();
        Path oneHour = downsampler.downsample(fiveMinutes, made, 3_600_000, CompactionProgress.NONE).directory();

        Map<Map<String, String>, DownsampledCheck.Samples> written = new HashMap<>();
        DownsampledCheck.seeded(seeded).forEach((labels, replicas) -> written.put(labels, replicas.getFirst()));
        for (Map.Entry<Path, Long> block : Map.of(fiveMinutes, 300_000L, oneHour, 3_600_000L).entrySet()) {
            Map<Map<String, String>, DownsampledCheck.HourStats[]> expected = DownsampledCheck.expected(written,
                    DownsampledCheck.firstHour(seeded), DownsampledCheck.hours(seeded), block.getValue());
            Map<Map<String, String>, DownsampledCheck.HourStats[]> read = hourly(block.getKey(), seeded);
            assertThat(read.keySet()).hasSize(10).isEqualTo(expected.keySet());
            for (Map.Entry<Map<String, String>, DownsampledCheck.HourStats[]> series : expected.entrySet()) {
                DownsampledCheck.HourStats[] want = series.getValue();
                DownsampledCheck.HourStats[] got = read.get(series.getKey());
                assertThat(want).hasSize(48);
                for (int h = 0; h < want.length; h++) {
                    if (want[h] == null) { // the hours of the replica's outage
                        assertThat(got[h].windows()).isZero();
                        continue;
                    }
                    assertThat(got[h].max()).as("max %s hour %d", series.getKey(), h).isEqualTo(want[h].max());
                    assertThat(got[h].min()).as("min %s hour %d", series.getKey(), h).isEqualTo(want[h].min());
                    assertThat(DownsampledCheck.close("sum_over_time", want[h].sum(), got[h].sum())).as("sum %s hour %d", series.getKey(), h).isTrue();
                    assertThat(got[h].windows()).as("windows %s hour %d", series.getKey(), h).isEqualTo(want[h].windows());
                }
                assertThat(want[5].windows()).isEqualTo((int) (DownsampledCheck.HOUR / block.getValue()));
            }
        }
    }

    /** Per series and hour, the aggregates stamped in {@code [h + 30s - 1h, h + 30s]}, as a {@code [1h]} range at {@code h + 30s} reads them. */
    private static Map<Map<String, String>, DownsampledCheck.HourStats[]> hourly(Path block, Seeder.Options seeded) throws Exception {
        long first = DownsampledCheck.firstEvaluation(DownsampledCheck.firstHour(seeded));
        Map<Map<String, String>, DownsampledCheck.HourStats[]> out = new HashMap<>();
        try (BlockReader reader = BlockReader.open(block)) {
            ChunkSeriesSet series = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            while (series.next()) {
                Map<AggregateType, List<long[]>> times = new HashMap<>();
                Map<AggregateType, List<Double>> values = new HashMap<>();
                for (ChunkSeriesSet.EncodedChunk chunk : series.chunks()) {
                    AggregateChunk aggregates = AggregateChunk.decode(chunk.data());
                    for (AggregateType type : List.of(AggregateType.MAX, AggregateType.MIN, AggregateType.SUM, AggregateType.COUNT)) {
                        XorSampleIterator it = aggregates.samples(type, null);
                        while (it.next()) {
                            times.computeIfAbsent(type, k -> new ArrayList<>()).add(new long[] {it.timestamp()});
                            values.computeIfAbsent(type, k -> new ArrayList<>()).add(it.value());
                        }
                    }
                }
                DownsampledCheck.HourStats[] hours = new DownsampledCheck.HourStats[48];
                for (int h = 0; h < hours.length; h++) {
                    long at = first + h * DownsampledCheck.HOUR;
                    double max = Double.NEGATIVE_INFINITY;
                    double min = Double.POSITIVE_INFINITY;
                    double sum = 0;
                    int count = 0;
                    for (int i = 0; i < times.get(AggregateType.MAX).size(); i++) {
                        long t = times.get(AggregateType.MAX).get(i)[0];
                        if (t >= at - DownsampledCheck.HOUR && t <= at) {
                            max = Math.max(max, values.get(AggregateType.MAX).get(i));
                            min = Math.min(min, values.get(AggregateType.MIN).get(i));
                            sum += values.get(AggregateType.SUM).get(i);
                            count++;
                        }
                    }
                    hours[h] = new DownsampledCheck.HourStats(max, min, sum, count);
                }
                out.put(DownsampledCheck.withoutName(series.labels().toMap()), hours);
            }
        }
        return out;
    }
}
