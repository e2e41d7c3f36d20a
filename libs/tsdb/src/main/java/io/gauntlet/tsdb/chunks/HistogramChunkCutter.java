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
    private HistogramChunkAppender histograms;
    private FloatHistogramChunkAppender floatHistograms;
    private XorChunkAppender floats;
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
        checkOrder(t);
        HistogramChunkAppender app = histograms;
        boolean gauge = h.counterResetHint() == CounterResetHint.GAUGE;
        boolean okToAppend = false;
        boolean counterReset = false;
        Appendability counter = null;
        GaugeAppendability gaugeFit = null;
        if (app != null) {
            if (gauge) {
                gaugeFit = app.appendableGauge(h);
                okToAppend = gaugeFit.okToAppend();
            } else {
                counter = app.appendable(h);
                okToAppend = counter.okToAppend();
                counterReset = counter.counterReset();
            }
        }
        boolean created = preprocess(t, ChunkEncoding.HISTOGRAM);
        if (!created) {
            if (gaugeFit != null && gaugeFit.okToAppend()) {
                h = HistogramChunkAppender.recodeSample(h, gaugeFit);
            }
            if (!okToAppend || counterReset) {
                cut(t, ChunkEncoding.HISTOGRAM);
                created = true;
            } else if (counter != null && counter.needsRecoding()) {
                histograms = app.recode(counter.positiveInserts(), counter.negativeInserts(), h.positiveSpans(),
                        h.negativeSpans());
            } else if (gaugeFit != null && (gaugeFit.positiveInserts().length > 0 || gaugeFit.negativeInserts().length > 0)) {
                histograms = app.recode(gaugeFit.positiveInserts(), gaugeFit.negativeInserts(), h.positiveSpans(),
                        h.negativeSpans());
            }
        }
        if (created) {
            histograms.setCounterResetHeader(header(gauge, counterReset, okToAppend));
        }
        histograms.append(t, h);
        lastTimestamp = t;
        empty = false;
    }

    public void appendFloatHistogram(long t, FloatHistogram h) throws IOException {
        checkOrder(t);
        FloatHistogramChunkAppender app = floatHistograms;
        boolean gauge = h.counterResetHint() == CounterResetHint.GAUGE;
        boolean okToAppend = false;
        boolean counterReset = false;
        Appendability counter = null;
        GaugeAppendability gaugeFit = null;
        if (app != null) {
            if (gauge) {
                gaugeFit = app.appendableGauge(h);
                okToAppend = gaugeFit.okToAppend();
            } else {
                counter = app.appendable(h);
                okToAppend = counter.okToAppend();
                counterReset = counter.counterReset();
            }
        }
        boolean created = preprocess(t, ChunkEncoding.FLOAT_HISTOGRAM);
        if (!created) {
            if (gaugeFit != null && gaugeFit.okToAppend()) {
                h = FloatHistogramChunkAppender.recodeSample(h, gaugeFit);
            }
            if (!okToAppend || counterReset) {
                cut(t, ChunkEncoding.FLOAT_HISTOGRAM);
                created = true;
            } else if (counter != null && counter.needsRecoding()) {
                floatHistograms = app.recode(counter.positiveInserts(), counter.negativeInserts(), h.positiveSpans(),
                        h.negativeSpans());
            } else if (gaugeFit != null && (gaugeFit.positiveInserts().length > 0 || gaugeFit.negativeInserts().length > 0)) {
                floatHistograms = app.recode(gaugeFit.positiveInserts(), gaugeFit.negativeInserts(), h.positiveSpans(),
                        h.negativeSpans());
            }
        }
        if (created) {
            floatHistograms.setCounterResetHeader(header(gauge, counterReset, okToAppend));
        }
        floatHistograms.append(t, h);
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
        ChunkEncoding open = openEncoding();
        if (open == null || open != encoding) {
            cut(t, encoding);
            return true;
        }
        int samples = openSamples();
        if (samples == SeriesChunkCutter.SAMPLES_PER_CHUNK / 4) {
            nextAt = SeriesChunkCutter.predictChunkEnd(openMinTime(), openMaxTime(), nextAt);
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
            case FLOAT_HISTOGRAM -> floatHistograms = new FloatHistogramChunkAppender();
            case XOR -> floats = new XorChunkAppender();
            default -> throw new IllegalArgumentException("cannot cut a chunk of encoding " + encoding);
        }
        nextAt = SeriesChunkCutter.rangeEnd(t, chunkRange);
    }

    private ChunkEncoding openEncoding() {
        if (histograms != null) {
            return ChunkEncoding.HISTOGRAM;
        }
        if (floatHistograms != null) {
            return ChunkEncoding.FLOAT_HISTOGRAM;
        }
        return floats != null ? ChunkEncoding.XOR : null;
    }

    private int openSamples() {
        return histograms != null ? histograms.sampleCount()
                : floatHistograms != null ? floatHistograms.sampleCount() : floats.sampleCount();
    }

    private long openMinTime() {
        return histograms != null ? histograms.minTime() : floatHistograms != null ? floatHistograms.minTime() : floats.minTime();
    }

    private long openMaxTime() {
        return histograms != null ? histograms.maxTime() : floatHistograms != null ? floatHistograms.maxTime() : floats.maxTime();
    }

    /** Emits the open chunk (if any) and readies the cutter for the next series. */
    public void finish() throws IOException {
        emit();
        empty = true;
    }

    private void emit() throws IOException {
        if (histograms != null && histograms.sampleCount() > 0) {
            sink.accept(ChunkEncoding.HISTOGRAM, histograms.minTime(), histograms.maxTime(), histograms.sampleCount(),
                    histograms.toByteArray());
        } else if (floatHistograms != null && floatHistograms.sampleCount() > 0) {
            sink.accept(ChunkEncoding.FLOAT_HISTOGRAM, floatHistograms.minTime(), floatHistograms.maxTime(),
                    floatHistograms.sampleCount(), floatHistograms.toByteArray());
        } else if (floats != null && floats.sampleCount() > 0) {
            sink.accept(ChunkEncoding.XOR, floats.minTime(), floats.maxTime(), floats.sampleCount(), floats.toByteArray());
        }
        histograms = null;
        floatHistograms = null;
        floats = null;
    }
}
