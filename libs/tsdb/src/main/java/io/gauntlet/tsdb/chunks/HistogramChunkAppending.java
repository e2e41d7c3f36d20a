package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.chunks.HistogramChunkAppender.Appendability;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender.GaugeAppendability;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.Span;

/**
 * What {@link HistogramChunkCutter} needs of an open histogram chunk, integer ({@code H} = {@code Histogram}) or float
 * ({@code H} = {@code FloatHistogram}) alike: the head's cutting rules are the same for both.
 */
interface HistogramChunkAppending<H> {
    Appendability appendable(H h);

    GaugeAppendability appendableGauge(H h);

    /** The sample widened to a gauge chunk's merged layout. */
    H widened(H h, GaugeAppendability gauge);

    HistogramChunkAppending<H> recode(BucketLayouts.Insert[] positiveInserts, BucketLayouts.Insert[] negativeInserts,
                                      Span[] positiveLayout, Span[] negativeLayout);

    Span[] positiveSpansOf(H h);

    Span[] negativeSpansOf(H h);

    CounterResetHint hintOf(H h);

    void setCounterResetHeader(CounterResetHint hint);

    void append(long t, H h);

    int sampleCount();

    long minTime();

    long maxTime();

    byte[] toByteArray();
}
