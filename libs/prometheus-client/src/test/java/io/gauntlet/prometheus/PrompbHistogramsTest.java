package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.prometheus.BucketSpan;
import io.gauntlet.proto.prometheus.Histogram;
import io.gauntlet.proto.prometheus.Sample;
import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrompbHistogramsTest {
    private static Histogram integer(long t, long count, long... deltas) {
        Histogram.Builder h = Histogram.newBuilder().setTimestamp(t).setCountInt(count).setSum(count * 0.5).setSchema(2)
                .setZeroThreshold(Math.scalb(1.0, -128)).setZeroCountInt(1)
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(-1).setLength(deltas.length));
        for (long delta : deltas) {
            h.addPositiveDeltas(delta);
        }
        return h.build();
    }

    @Test
    void samplesAnswerWithHistogramsBecomesHistogramChunks() throws Exception {
        TimeSeries series = TimeSeries.newBuilder()
                .addHistograms(integer(1_000, 4, 1, 2)).addHistograms(integer(2_000, 7, 2, 2))
                .addHistograms(integer(3_000, 3, 1, 1)) // a counter reset: a new chunk
                .addHistograms(Histogram.newBuilder().setTimestamp(4_000).setCountFloat(2.5).setSum(1)
                        .addPositiveSpans(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveCounts(2.5))
                .addSamples(Sample.newBuilder().setTimestamp(5_000).setValue(42))
                .build();
        List<EncodedChunk> chunks = PrompbHistograms.chunks(series, "p", Labels.of("__name__", "h"));
        assertThat(chunks).extracting(EncodedChunk::encoding).containsExactly(2, 2, 3, 1);
        List<String> decoded = new ArrayList<>();
        ChunkDecoders decoders = new ChunkDecoders();
        for (EncodedChunk chunk : chunks) {
            SampleIterator samples = decoders.open(chunk.encoding(), chunk.data());
            while (samples.next()) {
                decoded.add(samples.timestamp() + "=" + (samples.sampleType() == SampleType.FLOAT ? samples.value()
                        : samples.floatHistogram().count() + "/" + java.util.Arrays.toString(samples.floatHistogram().positiveBuckets())));
            }
        }
        assertThat(decoded).containsExactly("1000=4.0/[1.0, 3.0]", "2000=7.0/[2.0, 4.0]", "3000=3.0/[1.0, 2.0]",
                "4000=2.5/[2.5]", "5000=42.0");
        assertThat(chunks.get(1).data()[2] & 0xC0).as("counter reset header").isEqualTo(0x80);
    }

    @Test
    void customBucketsAreRefusedClearly() {
        TimeSeries series = TimeSeries.newBuilder().addHistograms(Histogram.newBuilder().setTimestamp(1).setSchema(-53)
                .setCountFloat(1).addCustomValues(0.5)).build();
        assertThatThrownBy(() -> PrompbHistograms.chunks(series, "p", Labels.of("__name__", "h")))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("custom bucket boundaries");
    }
}
