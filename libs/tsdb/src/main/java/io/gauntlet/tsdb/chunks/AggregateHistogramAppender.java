package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.chunks.HistogramChunkAppender.Appendability;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender.GaugeAppendability;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;

/**
 * Builds the float histogram sum or counter part of a downsampled chunk as Thanos fills it: through Prometheus'
 * {@code FloatHistogramAppender.AppendFloatHistogram} (appendOnly false) with the part's own appender as the previous
 * one. New buckets recode the part; a sample that cannot follow (an explicit or detected counter reset, a schema or
 * zero threshold change) starts the part over with that sample alone, because Thanos keeps only the chunk that call
 * returns. The first sample sets the header: gauge, counter reset, or else "not a counter reset".
 */
public final class AggregateHistogramAppender {
    private FloatHistogramChunkAppender chunk = new FloatHistogramChunkAppender();

    public void append(long t, FloatHistogram h) {
        CounterResetHint hint = h.counterResetHint();
        if (chunk.sampleCount() == 0) {
            chunk.setCounterResetHeader(switch (hint) {
                case GAUGE -> CounterResetHint.GAUGE;
                case COUNTER_RESET -> CounterResetHint.COUNTER_RESET;
                default -> CounterResetHint.NOT_COUNTER_RESET;
            });
            chunk.append(t, h);
            return;
        }
        if (hint != CounterResetHint.GAUGE) {
            Appendability fit = hint == CounterResetHint.COUNTER_RESET ? Appendability.RESET : chunk.appendable(h);
            if (!fit.okToAppend() || fit.counterReset()) {
                startOver(fit.counterReset() ? CounterResetHint.COUNTER_RESET : CounterResetHint.UNKNOWN, t, h);
                return;
            }
            if (fit.needsRecoding()) {
                chunk = chunk.recode(fit.positiveInserts(), fit.negativeInserts(), h.positiveSpans(), h.negativeSpans());
            }
            chunk.append(t, h);
            return;
        }
        GaugeAppendability fit = chunk.appendableGauge(h);
        if (!fit.okToAppend()) {
            startOver(CounterResetHint.GAUGE, t, h);
            return;
        }
        FloatHistogram widened = chunk.widened(h, fit);
        if (fit.positiveInserts().length > 0 || fit.negativeInserts().length > 0) {
            chunk = chunk.recode(fit.positiveInserts(), fit.negativeInserts(), widened.positiveSpans(), widened.negativeSpans());
        }
        chunk.append(t, widened);
    }

    private void startOver(CounterResetHint header, long t, FloatHistogram h) {
        chunk = new FloatHistogramChunkAppender();
        chunk.setCounterResetHeader(header);
        chunk.append(t, h);
    }

    public int sampleCount() {
        return chunk.sampleCount();
    }

    public byte[] toByteArray() {
        return chunk.toByteArray();
    }
}
