package io.gauntlet.compact;

import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateHistogramAppender;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Thanos' downsampling of a native histogram series: the same batches and windows as for floats ({@link Downsampling}),
 * but the aggregate chunk holds only count (XOR: histograms per window), sum (a float histogram chunk: the window's
 * histograms added up, a gauge) and counter (a float histogram chunk: the running counter, resets folded in); min and
 * max are absent. A batch works at its smallest schema: finer histograms are merged down to it. A reset is an explicit
 * counter reset hint, or one Prometheus' {@code DetectReset} sees between a sample as stored and the previous sample
 * merged to the batch schema (so a schema above the batch's counts as a reset, as in Thanos); the counter then adds
 * the whole sample, otherwise its increase. Unlike floats the counter part keeps no first and last raw value.
 * Stale markers and histograms with a NaN sum are dropped. Counter reset hints combine as Prometheus' {@code Add} and
 * {@code Sub} combine them, since they decide the parts' headers.
 */
final class HistogramDownsampling {
    private long[] times = new long[256];
    private FloatHistogram[] histograms = new FloatHistogram[256];
    private int size;
    private final ChunkDecoders decoders = new ChunkDecoders();

    /** Whether an aggregate chunk is a native histogram's: its counter is a histogram chunk. */
    static boolean isHistogramAggregate(AggregateChunk chunk) {
        if (!chunk.has(AggregateType.COUNTER)) {
            return false;
        }
        int code = chunk.encodingCode(AggregateType.COUNTER);
        return code == ChunkEncoding.HISTOGRAM.code() || code == ChunkEncoding.FLOAT_HISTOGRAM.code();
    }

    static boolean isHistogramChunk(EncodedChunk chunk) {
        return chunk.encoding() == ChunkEncoding.HISTOGRAM.code() || chunk.encoding() == ChunkEncoding.FLOAT_HISTOGRAM.code();
    }

    void clear() {
        Arrays.fill(histograms, 0, size, null);
        size = 0;
    }

    /** Appends the histograms of a raw histogram chunk: stale markers and backward steps skipped (per chunk, as Thanos). */
    void expand(EncodedChunk chunk) throws StorageException {
        expand(decoders.open(chunk.encoding(), chunk.data()));
    }

    private void expand(SampleIterator it) throws StorageException {
        long lastT = 0;
        while (it.next()) {
            FloatHistogram h = it.floatHistogram();
            if (Downsampling.isStale(h.sum())) {
                continue;
            }
            long t = it.timestamp();
            if (t >= lastT) {
                push(t, h.copy());
                lastT = t;
            }
        }
    }

    private void push(long t, FloatHistogram h) {
        if (size == times.length) {
            times = Arrays.copyOf(times, 2 * size);
            histograms = Arrays.copyOf(histograms, 2 * size);
        }
        times[size] = t;
        histograms[size] = h;
        size++;
    }

    /** Thanos' DownsampleRaw over the expanded histograms. */
    List<EncodedChunk> downsampleRaw(long resolution) {
        List<EncodedChunk> chunks = new ArrayList<>();
        if (size == 0) {
            return chunks;
        }
        int batchSize = Downsampling.rawBatchSize(times, size, resolution);
        long[] batchTimes = new long[size];
        FloatHistogram[] batch = new FloatHistogram[size];
        int start = 0;
        while (start < size) {
            int j = Downsampling.rawBatchEnd(times, size, start, batchSize, resolution);
            int n = 0;
            for (int i = start; i < j; i++) {
                if (!Double.isNaN(histograms[i].sum())) {
                    batchTimes[n] = times[i];
                    batch[n] = histograms[i];
                    n++;
                }
            }
            start = j;
            if (n > 0) {
                chunks.add(rawBatch(batchTimes, batch, n, resolution));
            }
        }
        return chunks;
    }

    private static EncodedChunk rawBatch(long[] ts, FloatHistogram[] hs, int n, long resolution) {
        boolean gauge = hs[0].counterResetHint() == CounterResetHint.GAUGE;
        AggregateHistogramAppender counter = new AggregateHistogramAppender();
        AggregateHistogramAppender sum = new AggregateHistogramAppender();
        XorChunkAppender count = new XorChunkAppender();
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        windows(ts, hs, n, resolution, new Aggregator(minSchema(hs, n)), (t, a) -> {
            range[0] = Math.min(range[0], t);
            range[1] = Math.max(range[1], t);
            if (gauge) {
                // Thanos marks both gauges so that a falling sum or counter does not read as a reset
                a.counter.counterResetHint(CounterResetHint.GAUGE);
                a.sum.counterResetHint(CounterResetHint.GAUGE);
            }
            counter.append(t, a.counter);
            sum.append(t, a.sum);
            count.append(t, a.count);
        });
        return encode(range, count, sum, counter);
    }

    /**
     * Thanos' downsampleAggr for histogram aggregates: re-aggregated along their chunk boundaries, counter and sum as
     * histograms, count as floats.
     */
    List<EncodedChunk> downsampleAggregates(List<AggregateChunk> chunks, long mint, long maxt, long inRes, long outRes,
                                            Downsampling floats) throws StorageException {
        int numSamples = 0;
        for (AggregateChunk chunk : chunks) {
            numSamples += chunk.has(AggregateType.COUNT) ? chunk.samples(AggregateType.COUNT, null).sampleCount() : 0;
        }
        int numChunks = Downsampling.targetChunkCount(mint, maxt, inRes, outRes, numSamples);
        int batchSize = Math.max(1, chunks.size() / numChunks);
        List<EncodedChunk> result = new ArrayList<>();
        for (int start = 0; start < chunks.size(); start += batchSize) {
            result.add(aggregateBatch(chunks.subList(start, Math.min(chunks.size(), start + batchSize)), outRes, floats));
        }
        return result;
    }

    private EncodedChunk aggregateBatch(List<AggregateChunk> batch, long resolution, Downsampling floats) throws StorageException {
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        AggregateHistogramAppender counter = aggregateHistograms(batch, AggregateType.COUNTER, resolution, range);
        AggregateHistogramAppender sum = aggregateHistograms(batch, AggregateType.SUM, resolution, range);
        long[] countRange = {Long.MAX_VALUE, Long.MIN_VALUE};
        XorChunkAppender count = floats.aggregateFloats(batch, AggregateType.COUNT, resolution, countRange);
        range[0] = Math.min(range[0], countRange[0]);
        range[1] = Math.max(range[1], countRange[1]);
        if (range[0] == Long.MAX_VALUE) {
            throw new IllegalStateException("downsampled histogram chunks hold no samples to aggregate");
        }
        return encode(range, count, sum, counter);
    }

    private AggregateHistogramAppender aggregateHistograms(List<AggregateChunk> batch, AggregateType type, long resolution,
                                                           long[] range) throws StorageException {
        clear();
        for (AggregateChunk chunk : batch) {
            if (chunk.has(type)) {
                expand(chunk.decode(type, decoders));
            }
        }
        if (size == 0) {
            return null;
        }
        AggregateHistogramAppender app = new AggregateHistogramAppender();
        windows(times, histograms, size, resolution, new Aggregator(minSchema(histograms, size)), (t, a) -> {
            range[0] = Math.min(range[0], t);
            range[1] = Math.max(range[1], t);
            app.append(t, type == AggregateType.COUNTER ? a.counter : a.sum);
        });
        return app;
    }

    private static EncodedChunk encode(long[] range, XorChunkAppender count, AggregateHistogramAppender sum,
                                       AggregateHistogramAppender counter) {
        Map<AggregateType, AggregateChunk.Part> parts = new EnumMap<>(AggregateType.class);
        if (count != null) {
            parts.put(AggregateType.COUNT, AggregateChunk.Part.xor(count.toByteArray()));
        }
        if (sum != null) {
            parts.put(AggregateType.SUM, new AggregateChunk.Part(ChunkEncoding.FLOAT_HISTOGRAM.code(), sum.toByteArray()));
        }
        if (counter != null) {
            parts.put(AggregateType.COUNTER, new AggregateChunk.Part(ChunkEncoding.FLOAT_HISTOGRAM.code(), counter.toByteArray()));
        }
        long mint = range[0];
        return new EncodedChunk(mint, Math.max(mint, range[1]), ChunkEncoding.AGGREGATE.code(), AggregateChunk.encodeParts(parts));
    }

    private static int minSchema(FloatHistogram[] hs, int n) {
        int schema = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            schema = Math.min(schema, hs[i].schema());
        }
        return schema;
    }

    @FunctionalInterface
    private interface WindowSink {
        void add(long t, Aggregator aggregator);
    }

    /** Thanos' downsampleBatch: hands each window's state to the sink, stamped with the window's last millisecond. */
    private static void windows(long[] ts, FloatHistogram[] hs, int n, long resolution, Aggregator aggregator, WindowSink sink) {
        long nextT = -1;
        long lastT = ts[n - 1];
        for (int i = 0; i < n; i++) {
            if (ts[i] > nextT) {
                if (nextT != -1) {
                    sink.add(nextT, aggregator);
                }
                aggregator.reset();
                nextT = Math.min(Downsampling.currentWindow(ts[i], resolution), lastT);
            }
            aggregator.add(hs[i]);
        }
        if (aggregator.total > 0) {
            sink.add(nextT, aggregator);
        }
    }

    /** Per-window histogram count and sum; the counter runs across the windows of one batch. */
    private static final class Aggregator {
        private final int schema;
        int total;
        int count;
        FloatHistogram sum;
        FloatHistogram counter;
        private FloatHistogram previous;

        Aggregator(int schema) {
            this.schema = schema;
        }

        void reset() {
            count = 0;
            sum = null;
        }

        void add(FloatHistogram original) {
            if (original.schema() < schema) {
                throw new IllegalStateException("histogram of schema " + original.schema() + " below the batch schema " + schema);
            }
            FloatHistogram h = original.schema() > schema
                    ? original.copyToSchema(schema).counterResetHint(original.counterResetHint()) : original;
            if (total == 0) {
                counter = h.copy();
            } else if (h.counterResetHint() != CounterResetHint.GAUGE && isReset(original, previous)) {
                counter.add(h).counterResetHint(combined(counter.counterResetHint(), h.counterResetHint()));
            } else {
                FloatHistogram increase = h.copy().sub(previous);
                increase.counterResetHint(combined(h.counterResetHint(), previous.counterResetHint()));
                counter.add(increase).counterResetHint(combined(counter.counterResetHint(), increase.counterResetHint()));
            }
            if (sum == null) {
                sum = h.copy();
            } else {
                sum.add(h);
            }
            sum.counterResetHint(CounterResetHint.GAUGE);
            previous = h;
            count++;
            total++;
        }

        /** Prometheus' DetectReset: the hint decides when it is definite, the counts otherwise. */
        private static boolean isReset(FloatHistogram h, FloatHistogram previous) {
            return switch (h.counterResetHint()) {
                case COUNTER_RESET -> true;
                case NOT_COUNTER_RESET -> false;
                default -> h.detectReset(previous);
            };
        }

        /** The hint of {@code receiver + other} (Prometheus' adjustCounterReset): a gauge wins, a mismatch is unknown. */
        private static CounterResetHint combined(CounterResetHint receiver, CounterResetHint other) {
            if (receiver == other || receiver == CounterResetHint.GAUGE) {
                return receiver;
            }
            if (other == CounterResetHint.GAUGE) {
                return CounterResetHint.GAUGE;
            }
            return CounterResetHint.UNKNOWN;
        }
    }
}
