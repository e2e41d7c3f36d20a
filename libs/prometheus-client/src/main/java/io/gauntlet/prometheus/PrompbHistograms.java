package io.gauntlet.prometheus;

import io.gauntlet.proto.prometheus.BucketSpan;
import io.gauntlet.proto.prometheus.Histogram;
import io.gauntlet.proto.prometheus.Sample;
import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A remote read {@code SAMPLES} series holding native histograms (prompb {@code Histogram}: integer or float counts,
 * spans with delta or absolute buckets) as TSDB chunks, floats and histograms merged in time order and cut where the
 * Prometheus head would cut them.
 */
final class PrompbHistograms {
    private PrompbHistograms() {
    }

    static List<EncodedChunk> chunks(TimeSeries series, String prometheus, Labels labels) throws StorageException {
        List<EncodedChunk> chunks = new ArrayList<>();
        HistogramChunkCutter cutter = new HistogramChunkCutter(SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                (encoding, minTime, maxTime, samples, data) -> chunks.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
        List<Sample> floats = series.getSamplesList();
        List<Histogram> histograms = series.getHistogramsList();
        int f = 0;
        int h = 0;
        try {
            while (f < floats.size() || h < histograms.size()) {
                boolean takeFloat = h >= histograms.size()
                        || (f < floats.size() && floats.get(f).getTimestamp() < histograms.get(h).getTimestamp());
                if (takeFloat) {
                    cutter.appendFloat(floats.get(f).getTimestamp(), floats.get(f).getValue());
                    f++;
                } else {
                    Histogram histogram = histograms.get(h++);
                    if (histogram.getCustomValuesCount() > 0) {
                        throw new UnsupportedEncodingException("prometheus " + prometheus + " sent " + labels
                                + " with custom bucket boundaries (schema " + histogram.getSchema()
                                + "), which Prometheus 2.42 chunks cannot hold");
                    }
                    if (histogram.getCountCase() == Histogram.CountCase.COUNT_FLOAT) {
                        cutter.appendFloatHistogram(histogram.getTimestamp(), floatHistogram(histogram));
                    } else {
                        cutter.appendHistogram(histogram.getTimestamp(), integerHistogram(histogram));
                    }
                }
            }
            cutter.finish();
        } catch (IllegalArgumentException e) {
            throw new StorageException("prometheus " + prometheus + ": SAMPLES answer for " + labels + " is not in time order: "
                    + e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("collecting chunks in a list does no I/O", e);
        }
        return chunks;
    }

    static io.gauntlet.tsdb.histogram.Histogram integerHistogram(Histogram h) {
        long[] positive = h.getPositiveDeltasList().stream().mapToLong(Long::longValue).toArray();
        long[] negative = h.getNegativeDeltasList().stream().mapToLong(Long::longValue).toArray();
        return new io.gauntlet.tsdb.histogram.Histogram(hint(h.getResetHint()), h.getSchema(), h.getZeroThreshold(),
                h.getZeroCountInt(), h.getCountInt(), h.getSum(), spans(h.getPositiveSpansList()), positive,
                spans(h.getNegativeSpansList()), negative);
    }

    static FloatHistogram floatHistogram(Histogram h) {
        double[] positive = h.getPositiveCountsList().stream().mapToDouble(Double::doubleValue).toArray();
        double[] negative = h.getNegativeCountsList().stream().mapToDouble(Double::doubleValue).toArray();
        return new FloatHistogram().set(hint(h.getResetHint()), h.getSchema(), h.getZeroThreshold(), h.getZeroCountFloat(),
                h.getCountFloat(), h.getSum(), spans(h.getPositiveSpansList()), positive, spans(h.getNegativeSpansList()),
                negative);
    }

    private static Span[] spans(List<BucketSpan> spans) {
        Span[] out = new Span[spans.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Span(spans.get(i).getOffset(), spans.get(i).getLength());
        }
        return Span.of(List.of(out));
    }

    private static CounterResetHint hint(Histogram.ResetHint hint) {
        return switch (hint) {
            case YES -> CounterResetHint.COUNTER_RESET;
            case NO -> CounterResetHint.NOT_COUNTER_RESET;
            case GAUGE -> CounterResetHint.GAUGE;
            default -> CounterResetHint.UNKNOWN;
        };
    }
}
