package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.bucketstore.BucketBlock.SeriesMeta;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one open block holds at a time while a query streams it, and what the index cache may take of the heap. */
class ChunkBatchTest {

    @Test
    void aBatchStopsAtTheChunkBoundOrTheSeriesBound() {
        List<SeriesMeta> dayOfSeries = series(1000, 24); // a day block: 24 chunks per series
        assertThat(BlockSeriesSet.batchEnd(dayOfSeries, 0)).isEqualTo(BlockSeriesSet.BATCH_CHUNKS / 24);
        assertThat(BlockSeriesSet.batchEnd(dayOfSeries, 990)).isEqualTo(1000);
        List<SeriesMeta> fewChunks = series(2000, 1);
        assertThat(BlockSeriesSet.batchEnd(fewChunks, 0)).isEqualTo(BlockSeriesSet.BATCH_SERIES);
        List<SeriesMeta> huge = series(3, BlockSeriesSet.BATCH_CHUNKS * 2); // one series over the bound still loads alone
        assertThat(BlockSeriesSet.batchEnd(huge, 1)).isEqualTo(2);
    }

    @Test
    void theIndexCacheTakesAtMostAQuarterOfTheHeap() {
        long mib = 1 << 20;
        assertThat(IndexCache.boundedByHeap(250 * mib, 512 * mib)).isEqualTo(128 * mib);
        assertThat(IndexCache.boundedByHeap(250 * mib, 2048 * mib)).isEqualTo(250 * mib);
        assertThat(IndexCache.boundedByHeap(250 * mib, Long.MAX_VALUE)).isEqualTo(250 * mib);
    }

    private static List<SeriesMeta> series(int count, int chunks) {
        List<SeriesMeta> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new SeriesMeta(Labels.of("__name__", "s", "i", Integer.toString(i)), new long[chunks], new long[chunks], new long[chunks]));
        }
        return out;
    }
}
