package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.chunks.HistogramChunkAppender.Appendability;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender.GaugeAppendability;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import java.io.IOException;

/**
 * Cuts one series' samples — integer histograms, float histograms and floats, in any succession — into chunks where
 * the Prometheus 2.42 head does ({@code memSeries.appendHistogram}, {@code appendFloatHistogram}, {@code append}): a new
 * chunk when the sample type changes, at the chunk range boundary, after ~120 samples (predicted at 30, hard at 240),
 * and for histograms when the sample does not fit the chunk: a counter reset, a schema or zero threshold change, a
 * bucket that disappeared, or a sample after a staleness marker. New buckets recode the open chunk. The counter reset
 * header of a new histogram chunk says why it was cut.
 *
 * <p>Use: append a series' samples in time order, {@link #finish()}, then the next series.
 */
public final class HistogramChunkCutter {
    /** Receives each finished chunk as bytes ({@code encoding} is the TSDB encoding byte). */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(ChunkEncoding encoding, long minTime, long maxTime, int samples, byte[] data) throws IOException;
    }

    private final long chunkRange;
    private final ChunkSink sink;
    // the open chunk: a histogram chunk (integer or float, per openEncoding) or an XOR chunk
    private HistogramChunkAppending<?> histograms;
    private XorChunkAppender floats;
    private ChunkEncoding openEncoding;
    private long nextAt;
    private long lastTimestamp;
    private boolean empty = true;

    public HistogramChunkCutter(long chunkRange, ChunkSink sink) {
        if (chunkRange <= 0) {
            throw new IllegalArgumentException("chunk range must be positive, got " + chunkRange);
        }
        this.chunkRange = chunkRange;
        this.sink = sink;
    }

    public void appendHistogram(long t, Histogram h) throws IOException {
        append(t, h, ChunkEncoding.HISTOGRAM);
    }

    public void appendFloatHistogram(long t, FloatHistogram h) throws IOException {
        append(t, h, ChunkEncoding.FLOAT_HISTOGRAM);
    }

    /** Prometheus' {@code memSeries.appendHistogram}, for integer and float histograms alike. */
    @SuppressWarnings("unchecked")
    private <H> void append(long t, H h, ChunkEncoding encoding) throws IOException {
        checkOrder(t);
        HistogramChunkAppending<H> app = openEncoding == encoding ? (HistogramChunkAppending<H>) histograms : null;
        boolean gauge = false;
        boolean okToAppend = false;
        boolean counterReset = false;
        Appendability counter = null;
        GaugeAppendability gaugeFit = null;
        if (app != null) {
            gauge = app.hintOf(h) == CounterResetHint.GAUGE;
            if (gauge) {
                gaugeFit = app.appendableGauge(h);
                okToAppend = gaugeFit.okToAppend();
            } else {
                counter = app.appendable(h);
                okToAppend = counter.okToAppend();
                counterReset = counter.counterReset();
            }
        }
        boolean created = preprocess(t, encoding);
        if (!created) {
            if (gaugeFit != null && gaugeFit.okToAppend()) {
                h = app.widened(h, gaugeFit);
            }
            if (!okToAppend || counterReset) {
                cut(t, encoding);
                created = true;
            } else if (counter != null && counter.needsRecoding()) {
                histograms = app.recode(counter.positiveInserts(), counter.negativeInserts(), app.positiveSpansOf(h),
                        app.negativeSpansOf(h));
            } else if (gaugeFit != null && (gaugeFit.positiveInserts().length > 0 || gaugeFit.negativeInserts().length > 0)) {
                histograms = app.recode(gaugeFit.positiveInserts(), gaugeFit.negativeInserts(), app.positiveSpansOf(h),
                        app.negativeSpansOf(h));
            }
        }
        HistogramChunkAppending<H> target = (HistogramChunkAppending<H>) histograms;
        if (created) {
            gauge = target.hintOf(h) == CounterResetHint.GAUGE;
            target.setCounterResetHeader(header(gauge, counterReset, okToAppend));
        }
        target.append(t, h);
        lastTimestamp = t;
        empty = false;
    }

    public void appendFloat(long t, double value) throws IOException {
        checkOrder(t);
        preprocess(t, ChunkEncoding.XOR);
        floats.append(t, value);
        lastTimestamp = t;
        empty = false;
    }

    private static CounterResetHint header(boolean gauge, boolean counterReset, boolean okToAppend) {
        if (gauge) {
            return CounterResetHint.GAUGE;
        }
        if (counterReset) {
            return CounterResetHint.COUNTER_RESET;
        }
        return okToAppend ? CounterResetHint.NOT_COUNTER_RESET : CounterResetHint.UNKNOWN;
    }

    private void checkOrder(long t) {
        if (!empty && t <= lastTimestamp) {
            throw new IllegalArgumentException((t == lastTimestamp ? "duplicate" : "out-of-order") + " sample at " + t
                    + " after " + lastTimestamp + ": samples must have increasing timestamps");
        }
    }

    /** Prometheus' {@code appendPreprocessor}: true when it started a new chunk. */
    private boolean preprocess(long t, ChunkEncoding encoding) throws IOException {
        if (openEncoding != encoding) {
            cut(t, encoding);
            return true;
        }
        int samples = encoding == ChunkEncoding.XOR ? floats.sampleCount() : histograms.sampleCount();
        if (samples == SeriesChunkCutter.SAMPLES_PER_CHUNK / 4) {
            long minTime = encoding == ChunkEncoding.XOR ? floats.minTime() : histograms.minTime();
            long maxTime = encoding == ChunkEncoding.XOR ? floats.maxTime() : histograms.maxTime();
            nextAt = SeriesChunkCutter.predictChunkEnd(minTime, maxTime, nextAt);
        }
        if (t >= nextAt || samples >= SeriesChunkCutter.SAMPLES_PER_CHUNK * 2) {
            cut(t, encoding);
            return true;
        }
        return false;
    }

    private void cut(long t, ChunkEncoding encoding) throws IOException {
        emit();
        switch (encoding) {
            case HISTOGRAM -> histograms = new HistogramChunkAppender();
            case FLOAT_HISTOGRAM -> histograms = new FloatHistogramChunkAppender();
            case XOR -> floats = new XorChunkAppender();
            default -> throw new IllegalArgumentException("cannot cut a chunk of encoding " + encoding);
        }
        openEncoding = encoding;
        nextAt = SeriesChunkCutter.rangeEnd(t, chunkRange);
    }

    /** Emits the open chunk (if any) and readies the cutter for the next series. */
    public void finish() throws IOException {
        emit();
        empty = true;
    }

    private void emit() throws IOException {
        if (openEncoding == ChunkEncoding.XOR && floats.sampleCount() > 0) {
            sink.accept(ChunkEncoding.XOR, floats.minTime(), floats.maxTime(), floats.sampleCount(), floats.toByteArray());
        } else if (openEncoding != null && openEncoding != ChunkEncoding.XOR && histograms.sampleCount() > 0) {
            sink.accept(openEncoding, histograms.minTime(), histograms.maxTime(), histograms.sampleCount(),
                    histograms.toByteArray());
        }
        histograms = null;
        floats = null;
        openEncoding = null;
    }
}
