package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramChunkTest {
    private static final Span[] TWO_SPANS = {new Span(-2, 2), new Span(3, 3)};

    private static Histogram histogram(long step, long[] deltas) {
        long count = 0;
        long absolute = 0;
        for (long delta : deltas) {
            absolute += delta;
            count += absolute;
        }
        return new Histogram(CounterResetHint.UNKNOWN, 3, Math.scalb(1.0, -128), step, count + step, 0.25 * step + 1e-3,
                TWO_SPANS, deltas, new Span[] {new Span(0, 1)}, new long[] {step});
    }

    @Test
    void integerHistogramsRoundTripThroughEveryVarbitWidth() throws Exception {
        HistogramChunkAppender appender = new HistogramChunkAppender();
        List<Histogram> appended = new ArrayList<>();
        long[] steps = {0, 1, 4, 5, 32, 33, 256, 257, 2048, 2049, 1 << 17, (1 << 17) + 1, 1 << 24, (1L << 24) + 1, 1L << 55,
            (1L << 55) + 1, Long.MAX_VALUE / 4};
        long base = 0;
        for (int i = 0; i < steps.length; i++) {
            base += steps[i];
            Histogram h = histogram(base, new long[] {base, -1, 2 * base, 0, 7});
            appended.add(h);
            appender.append(1_000L * i * i - 5_000, h);
        }
        HistogramSampleIterator samples = new HistogramSampleIterator().reset(appender.toByteArray());
        assertThat(samples.sampleCount()).isEqualTo(steps.length);
        for (int i = 0; i < steps.length; i++) {
            assertThat(samples.next()).isTrue();
            assertThat(samples.timestamp()).isEqualTo(1_000L * i * i - 5_000);
            Histogram decoded = samples.histogram();
            assertThat(decoded.withCounterResetHint(CounterResetHint.UNKNOWN)).isEqualTo(appended.get(i));
            FloatHistogram asFloat = samples.floatHistogram();
            assertThat(asFloat.count()).isEqualTo((double) appended.get(i).count());
            assertThat(asFloat.positiveBuckets()).containsExactly(appended.get(i).toFloat().positiveBuckets());
        }
        assertThat(samples.next()).isFalse();
    }

    @Test
    void floatHistogramsRoundTripWithStalenessMarker() throws Exception {
        FloatHistogramChunkAppender appender = new FloatHistogramChunkAppender();
        Random random = new Random(42);
        List<FloatHistogram> appended = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            double[] positive = new double[5];
            for (int b = 0; b < positive.length; b++) {
                positive[b] = i * (b + 1) + random.nextDouble();
            }
            FloatHistogram h = new FloatHistogram().set(CounterResetHint.UNKNOWN, -2, 0.001, i * 0.5, 100.0 * i, i / 3.0,
                    TWO_SPANS, positive, Span.NONE, null);
            appended.add(h);
            appender.append(15_000L * i, h);
        }
        appender.append(15_000L * 50, FloatHistogram.staleMarker(StaleMarkers.STALE_NAN));
        appender.setCounterResetHeader(CounterResetHint.COUNTER_RESET);
        FloatHistogramSampleIterator samples = new FloatHistogramSampleIterator().reset(appender.toByteArray());
        assertThat(samples.counterResetHeader()).isEqualTo(CounterResetHint.COUNTER_RESET);
        for (int i = 0; i < 50; i++) {
            assertThat(samples.next()).isTrue();
            FloatHistogram decoded = samples.floatHistogram();
            assertThat(decoded.counterResetHint()).isEqualTo(i == 0 ? CounterResetHint.COUNTER_RESET : CounterResetHint.NOT_COUNTER_RESET);
            assertThat(decoded.copy().counterResetHint(CounterResetHint.UNKNOWN)).isEqualTo(appended.get(i));
        }
        assertThat(samples.next()).isTrue();
        assertThat(StaleMarkers.isStale(samples.floatHistogram().sum())).isTrue();
        assertThat(samples.next()).isFalse();
    }

    @Test
    void newBucketsRecodeTheOpenChunkAndResetsCutANewOne() throws Exception {
        List<String> chunks = new ArrayList<>();
        HistogramChunkCutter cutter = new HistogramChunkCutter(7_200_000,
                (encoding, min, max, n, data) -> chunks.add(encoding + ":" + n + ":" + CounterResetHint.ofHeader(data[2])));
        Span[] one = {new Span(0, 1)};
        Span[] two = {new Span(0, 2)};
        cutter.appendHistogram(0, new Histogram(null, 0, 0, 0, 1, 1, one, new long[] {1}, null, null));
        cutter.appendHistogram(1000, new Histogram(null, 0, 0, 0, 3, 2, two, new long[] {1, 1}, null, null));
        cutter.appendHistogram(2000, new Histogram(null, 0, 0, 0, 1, 2, one, new long[] {1}, null, null));
        cutter.finish();
        assertThat(chunks).containsExactly("HISTOGRAM:2:UNKNOWN", "HISTOGRAM:1:COUNTER_RESET");
    }

    @Test
    void truncatedChunkIsCorruptedData() throws Exception {
        HistogramChunkAppender appender = new HistogramChunkAppender();
        for (int i = 0; i < 10; i++) {
            appender.append(i * 1000L, histogram(i, new long[] {i, 1, 2, 3, i}));
        }
        byte[] whole = appender.toByteArray();
        HistogramSampleIterator samples = new HistogramSampleIterator().reset(Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> {
            while (samples.next()) {
                samples.timestamp();
            }
        }).isInstanceOf(CorruptedDataException.class).hasMessageContaining("ends inside sample");
        assertThatThrownBy(() -> new HistogramSampleIterator().reset(new byte[2])).isInstanceOf(CorruptedDataException.class);
    }
}
