package io.gauntlet.tsdb.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.HistogramSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import io.gauntlet.tsdb.testing.NativeHistogramPrometheus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks a real Prometheus 2.42 wrote while scraping native histograms: every chunk decodes, and cutting the decoded
 * samples again gives the same chunks, byte for byte (encoding, time range, counter reset header, layout, data).
 */
class PrometheusHistogramChunksTest {
    @TempDir
    Path directory;

    @Test
    void recutChunksEqualWhatPrometheusWrote() throws Exception {
        Map<Labels, List<String>> written = new LinkedHashMap<>();
        Map<Labels, List<String>> recut = new LinkedHashMap<>();
        int histogramChunks = 0;
        int resetHeaders = 0;
        int staleMarkers = 0;
        int negativeBuckets = 0;
        java.util.Set<Integer> schemas = new java.util.TreeSet<>();
        try (NativeHistogramPrometheus prometheus = NativeHistogramPrometheus.start(directory)) {
            long end = prometheus.scenario();
            List<Path> blocks = prometheus.awaitBlocksUntil(end);
            Map<Labels, List<ChunkSeriesSet.EncodedChunk>> chunks = new LinkedHashMap<>();
            for (Path block : blocks) {
                try (BlockReader reader = BlockReader.open(block)) {
                    ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE,
                            List.of(LabelMatcher.regex("__name__", NativeHistogramPrometheus.HISTOGRAM + "|exporter_scrapes|up")));
                    while (set.next()) {
                        chunks.computeIfAbsent(set.labels(), l -> new ArrayList<>()).addAll(set.chunks());
                    }
                }
            }
            ChunkDecoders decoders = new ChunkDecoders();
            for (Map.Entry<Labels, List<ChunkSeriesSet.EncodedChunk>> series : chunks.entrySet()) {
                List<String> out = new ArrayList<>();
                HistogramChunkCutter cutter = new HistogramChunkCutter(NativeHistogramPrometheus.BLOCK_MILLIS,
                        (encoding, minTime, maxTime, samples, data) -> out.add(describe(encoding.code(), minTime, maxTime, data)));
                List<String> in = new ArrayList<>();
                for (ChunkSeriesSet.EncodedChunk chunk : series.getValue()) {
                    in.add(describe(chunk.encoding(), chunk.minTime(), chunk.maxTime(), chunk.data()));
                    if (chunk.encoding() == ChunkEncoding.HISTOGRAM.code()) {
                        histogramChunks++;
                        resetHeaders += (chunk.data()[2] & 0xC0) == 0x80 ? 1 : 0;
                        HistogramSampleIterator samples = new HistogramSampleIterator().reset(chunk.data());
                        while (samples.next()) {
                            Histogram h = samples.histogram();
                            if (Double.doubleToRawLongBits(h.sum()) == 0x7ff0000000000002L) {
                                staleMarkers++;
                            } else {
                                schemas.add(h.schema());
                                negativeBuckets += h.negativeBuckets().length;
                            }
                            cutter.appendHistogram(samples.timestamp(), h);
                        }
                    } else {
                        SampleIterator samples = decoders.open(chunk.encoding(), chunk.data());
                        while (samples.next()) {
                            assertThat(samples.sampleType()).isEqualTo(SampleType.FLOAT);
                            cutter.appendFloat(samples.timestamp(), samples.value());
                        }
                    }
                }
                cutter.finish();
                written.put(series.getKey(), in);
                recut.put(series.getKey(), out);
            }
        }
        assertThat(written).isNotEmpty();
        assertThat(histogramChunks).as("histogram chunks").isGreaterThan(4);
        assertThat(resetHeaders).as("chunks cut for a counter reset").isPositive();
        assertThat(staleMarkers).as("staleness markers").isPositive();
        assertThat(negativeBuckets).as("negative buckets").isPositive();
        assertThat(schemas).as("schemas").hasSizeGreaterThan(1);
        for (Labels labels : written.keySet()) {
            assertThat(recut.get(labels)).as(labels.toString()).containsExactlyElementsOf(written.get(labels));
        }
    }

    private static String describe(int encoding, long minTime, long maxTime, byte[] data) {
        return encoding + " [" + minTime + ", " + maxTime + "] " + HexFormat.of().formatHex(data);
    }

}
