package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesChunkCutterTest {
    private static final long RANGE = SeriesChunkCutter.DEFAULT_CHUNK_RANGE;

    @Test
    void regularScrapesMakeFourChunksOf120SamplesPerTwoHours() {
        List<SeriesChunkCutter.CutChunk> chunks = cut(0, 15_000, 480);
        assertThat(chunks).extracting(SeriesChunkCutter.CutChunk::sampleCount).containsExactly(120, 120, 120, 120);
        assertThat(chunks).extracting(SeriesChunkCutter.CutChunk::minTime).containsExactly(0L, 1_800_000L, 3_600_000L, 5_400_000L);
        assertThat(chunks.getLast().maxTime()).isEqualTo(479 * 15_000L);
    }

    @Test
    void neverCrossesAChunkRangeBoundary() {
        // starts 10 minutes before a 2 h boundary
        List<SeriesChunkCutter.CutChunk> chunks = cut(RANGE * 100 - 600_000, 15_000, 100);
        assertThat(chunks.getFirst().maxTime()).isLessThan(RANGE * 100);
        assertThat(chunks.get(1).minTime()).isEqualTo(RANGE * 100);
        assertThat(chunks.getFirst().sampleCount()).isEqualTo(40);
    }

    @Test
    void cutsAt240SamplesWhenSamplesArriveFasterThanPredicted() {
        // 30 samples at 60 s predict one chunk for the rest of the range; then 1 s samples flood in
        long[] timestamps = new long[1000];
        double[] values = new double[1000];
        for (int i = 0; i < 1000; i++) {
            timestamps[i] = i < 30 ? i * 60_000L : 29 * 60_000L + (i - 29) * 1000L;
            values[i] = i;
        }
        List<SeriesChunkCutter.CutChunk> chunks = SeriesChunkCutter.cut(timestamps, values, 1000, RANGE);
        assertThat(chunks.getFirst().sampleCount()).isEqualTo(240);
        assertThat(chunks.stream().mapToInt(SeriesChunkCutter.CutChunk::sampleCount).sum()).isEqualTo(1000);
    }

    @Test
    void chunksDecodeToTheAppendedSamples() throws StorageException {
        List<SeriesChunkCutter.CutChunk> chunks = cut(1_700_000_000_000L, 10_000, 2000);
        XorSampleIterator iterator = new XorSampleIterator();
        long expected = 1_700_000_000_000L;
        for (SeriesChunkCutter.CutChunk chunk : chunks) {
            iterator.reset(chunk.data());
            assertThat(iterator.sampleCount()).isEqualTo(chunk.sampleCount());
            while (iterator.next()) {
                assertThat(iterator.timestamp()).isEqualTo(expected);
                expected += 10_000;
            }
        }
        assertThat(expected).isEqualTo(1_700_000_000_000L + 2000 * 10_000L);
    }

    @Test
    void rejectsOutOfOrderAndDuplicateSamplesButStartsFreshPerSeries() throws IOException {
        List<Long> minTimes = new ArrayList<>();
        SeriesChunkCutter cutter = new SeriesChunkCutter(RANGE, c -> minTimes.add(c.minTime()));
        cutter.append(1000, 1);
        cutter.append(2000, 1);
        assertThatThrownBy(() -> cutter.append(2000, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate sample at 2000");
        assertThatThrownBy(() -> cutter.append(1500, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out-of-order sample at 1500 after 2000");
        cutter.finish();
        cutter.append(500, 1); // next series may start earlier
        cutter.finish();
        assertThat(minTimes).containsExactly(1000L, 500L);
    }

    @Test
    void predictionMatchesPrometheusFormula() {
        assertThat(SeriesChunkCutter.rangeEnd(0, RANGE)).isEqualTo(RANGE);
        assertThat(SeriesChunkCutter.rangeEnd(RANGE - 1, RANGE)).isEqualTo(RANGE);
        assertThat(SeriesChunkCutter.rangeEnd(RANGE, RANGE)).isEqualTo(2 * RANGE);
        assertThat(SeriesChunkCutter.rangeEnd(-1, RANGE)).isEqualTo(RANGE); // Go truncates toward zero
        assertThat(SeriesChunkCutter.predictChunkEnd(0, 435_000, RANGE)).isEqualTo(1_800_000);
        assertThat(SeriesChunkCutter.predictChunkEnd(0, 3_000_000, RANGE)).isEqualTo(RANGE);
        assertThat(SeriesChunkCutter.backfillChunkRange(RANGE)).isEqualTo(2 * RANGE);
    }

    private static List<SeriesChunkCutter.CutChunk> cut(long start, long interval, int count) {
        long[] timestamps = new long[count];
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            timestamps[i] = start + i * interval;
            values[i] = i % 10;
        }
        return SeriesChunkCutter.cut(timestamps, values, count, RANGE);
    }
}
