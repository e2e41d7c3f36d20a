package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.chunks.HistogramChunkAppender;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Penalty deduplication over replicas whose series hold native histogram chunks. */
class HistogramDeduplicationTest {
    private static EncodedChunk chunk(long from, long to, long step, long offset) {
        HistogramChunkAppender appender = new HistogramChunkAppender();
        Span[] spans = {new Span(0, 1)};
        for (long t = from; t <= to; t += step) {
            long count = t / 1000 + offset;
            appender.append(t, new Histogram(null, 0, 0, 0, count, count, spans, new long[] {count}, null, null));
        }
        return new EncodedChunk(appender.minTime(), appender.maxTime(), 2, appender.toByteArray());
    }

    @Test
    void replicasOfHistogramsMergeWithPenaltiesAndCounterFunctionsLeaveHistogramsAlone() throws Exception {
        // replica a stops at 60 s, replica b (offset by 1 s, other counts) carries on
        for (boolean counter : List.of(false, true)) {
            SampleIterator a = new ChunksSampleIterator(List.of(chunk(0, 60_000, 15_000, 0)), null);
            SampleIterator b = new ChunksSampleIterator(List.of(chunk(1_000, 121_000, 15_000, 1000)), null);
            SampleIterator merged = PenaltyDeduplicator.of(List.of(a, b), counter);
            List<String> seen = new ArrayList<>();
            while (merged.next()) {
                assertThat(merged.sampleType()).isEqualTo(SampleType.HISTOGRAM);
                seen.add(merged.timestamp() + ":" + (long) merged.floatHistogram().count());
            }
            assertThat(seen).as("counter=" + counter).containsExactly("0:0", "15000:15", "30000:30", "45000:45", "60000:60",
                    "91000:1091", "106000:1106", "121000:1121");
        }
    }
}
