package io.gauntlet.compact;

import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Thanos' downsampling of one series ({@code pkg/compact/downsample}), reproduced rule for rule so that the chunks
 * are the ones Thanos writes: raw samples are cut into batches, each batch aggregated per window of the resolution
 * into count, sum, min, max and counter, each window stamped with its last millisecond ({@code t - t % r + r - 1},
 * capped at the batch's last sample); the counter sub-chunk starts with the batch's first raw sample and ends by
 * repeating the last window's timestamp with the last raw value, so that counter resets between chunks stay
 * visible. Aggregated input (5m to 1h) is re-aggregated along its chunk boundaries. Samples live in primitive
 * buffers reused across series.
 */
final class Downsampling {
    static final long RES_RAW = 0;
    static final long RES_5M = 300_000L;
    static final long RES_1H = 3_600_000L;
    /** A raw block is downsampled to 5m once it spans this much (Thanos' ResLevel1DownsampleRange). */
    static final long RAW_DOWNSAMPLE_RANGE = 40L * 3_600_000L;
    /** A 5m block is downsampled to 1h once it spans this much (ResLevel2DownsampleRange). */
    static final long FIVE_MINUTE_DOWNSAMPLE_RANGE = 10L * 24 * 3_600_000L;
    private static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    private static final long ASSUMED_RAW_INTERVAL = 60_000L;

    private long[] times = new long[1024];
    private double[] values = new double[1024];
    private long[] batchTimes = new long[1024];
    private double[] batchValues = new double[1024];
    private int size;
    private final XorSampleIterator reusable = new XorSampleIterator();

    static boolean isStale(double v) {
        return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
    }

    static long currentWindow(long t, long resolution) {
        return t - (t % resolution) + resolution - 1;
    }

    static double rangeFullness(long mint, long maxt, long step, int count) {
        double f = count / ((double) (maxt - mint) / step);
        return f > 1 ? 1 : f;
    }

    static int targetChunkCount(long mint, long maxt, long inRes, long outRes, int count) {
        double maxSamples = (double) ((maxt - mint) / outRes);
        int expected = (int) (maxSamples * rangeFullness(mint, maxt, inRes, count)) + 1;
        int x = 1;
        while (expected / x > 140) {
            x++;
        }
        return x;
    }

    /** Thanos' DownsampleRaw batch size: samples per chunk for ~140 windows a chunk, assuming a 1m raw interval. */
    static int rawBatchSize(long[] times, int size, long resolution) {
        return size / targetChunkCount(times[0], times[size - 1], ASSUMED_RAW_INTERVAL, resolution, size) + 1;
    }

    /** Where the raw batch from {@code start} ends: after {@code batchSize} samples and the rest of the last one's window. */
    static int rawBatchEnd(long[] times, int size, int start, int batchSize, long resolution) {
        int j = Math.min(start + batchSize, size);
        long window = currentWindow(times[j - 1], resolution);
        while (j < size && times[j] <= window) {
            j++;
        }
        return j;
    }

    /** Per-window statistics; the counter state runs across the windows of one batch. */
    private static final class Aggregator {
        int total;
        int count;
        double sum;
        double min;
        double max;
        double counter;
        double last;

        void reset() {
            count = 0;
            sum = 0;
            min = Double.MAX_VALUE;
            max = -Double.MAX_VALUE;
        }

        void add(double v) {
            if (total > 0) {
                counter += v < last ? v : v - last;
            } else {
                counter = v;
            }
            last = v;
            sum += v;
            count++;
            total++;
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
    }

    @FunctionalInterface
    private interface WindowSink {
        void add(long t, Aggregator aggregator);
    }

    /** Thanos' downsampleBatch: aggregates samples [0, n) per window; returns the last window's timestamp. */
    private static long downsampleBatch(long[] ts, double[] vs, int n, long resolution, WindowSink sink) {
        Aggregator aggregator = new Aggregator();
        long nextT = -1;
        long lastT = ts[n - 1];
        for (int i = 0; i < n; i++) {
            if (isStale(vs[i])) {
                continue;
            }
            if (ts[i] > nextT) {
                if (nextT != -1) {
                    sink.add(nextT, aggregator);
                }
                aggregator.reset();
                nextT = Math.min(currentWindow(ts[i], resolution), lastT);
            }
            aggregator.add(vs[i]);
        }
        sink.add(nextT, aggregator);
        return nextT;
    }

    // ---- raw input ----

    void clear() {
        size = 0;
    }

    /** Appends the samples of a raw XOR chunk as Thanos' expandChunkIterator does: stale markers and backward steps skipped. */
    void expand(byte[] xorChunk) throws StorageException {
        XorSampleIterator it = reusable.reset(xorChunk);
        long lastT = 0; // per chunk, as in Thanos (negative timestamps are dropped there too)
        while (it.next()) {
            double v = it.value();
            if (isStale(v)) {
                continue;
            }
            long t = it.timestamp();
            if (t >= lastT) {
                push(t, v);
                lastT = t;
            }
        }
    }

    private void push(long t, double v) {
        if (size == times.length) {
            times = Arrays.copyOf(times, 2 * size);
            values = Arrays.copyOf(values, 2 * size);
        }
        times[size] = t;
        values[size] = v;
        size++;
    }

    /** Thanos' DownsampleRaw over the expanded samples. */
    List<EncodedChunk> downsampleRaw(long resolution) {
        List<EncodedChunk> chunks = new ArrayList<>();
        if (size == 0) {
            return chunks;
        }
        int batchSize = rawBatchSize(times, size, resolution);
        int start = 0;
        while (start < size) {
            int j = rawBatchEnd(times, size, start, batchSize, resolution);
            int n = 0;
            if (batchTimes.length < j - start) {
                batchTimes = new long[j - start];
                batchValues = new double[j - start];
            }
            for (int i = start; i < j; i++) {
                if (!Double.isNaN(values[i])) {
                    batchTimes[n] = times[i];
                    batchValues[n] = values[i];
                    n++;
                }
            }
            start = j;
            if (n == 0) {
                continue;
            }
            Map<AggregateType, XorChunkAppender> apps = new EnumMap<>(AggregateType.class);
            for (AggregateType type : AggregateType.values()) {
                apps.put(type, new XorChunkAppender());
            }
            long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
            apps.get(AggregateType.COUNTER).append(batchTimes[0], batchValues[0]);
            long lastT = downsampleBatch(batchTimes, batchValues, n, resolution, (t, a) -> {
                range[0] = Math.min(range[0], t);
                range[1] = Math.max(range[1], t);
                apps.get(AggregateType.SUM).append(t, a.sum);
                apps.get(AggregateType.MIN).append(t, a.min);
                apps.get(AggregateType.MAX).append(t, a.max);
                apps.get(AggregateType.COUNT).append(t, a.count);
                apps.get(AggregateType.COUNTER).append(t, a.counter);
            });
            apps.get(AggregateType.COUNTER).append(lastT, batchValues[n - 1]);
            chunks.add(encode(range[0], range[1], apps));
        }
        return chunks;
    }

    private static EncodedChunk encode(long mint, long maxt, Map<AggregateType, XorChunkAppender> apps) {
        Map<AggregateType, byte[]> bytes = new EnumMap<>(AggregateType.class);
        apps.forEach((type, app) -> bytes.put(type, app.toByteArray()));
        return new EncodedChunk(mint, Math.max(mint, maxt), ChunkEncoding.AGGREGATE.code(), AggregateChunk.encode(bytes));
    }

    // ---- aggregated input ----

    /** Thanos' downsampleAggr: re-aggregates the aggregate chunks of one series, along their chunk boundaries. */
    List<EncodedChunk> downsampleAggregates(List<AggregateChunk> chunks, long mint, long maxt, long inRes, long outRes) throws StorageException {
        int numSamples = 0;
        for (AggregateChunk chunk : chunks) {
            numSamples += chunk.has(AggregateType.COUNT) ? chunk.samples(AggregateType.COUNT, reusable).sampleCount() : 0;
        }
        int numChunks = targetChunkCount(mint, maxt, inRes, outRes, numSamples);
        // Thanos would loop forever on a zero batch size; one chunk per batch at least
        int batchSize = Math.max(1, chunks.size() / numChunks);
        List<EncodedChunk> result = new ArrayList<>();
        for (int start = 0; start < chunks.size(); start += batchSize) {
            result.add(downsampleAggregateBatch(chunks.subList(start, Math.min(chunks.size(), start + batchSize)), outRes));
        }
        return result;
    }

    private EncodedChunk downsampleAggregateBatch(List<AggregateChunk> batch, long resolution) throws StorageException {
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        Map<AggregateType, XorChunkAppender> apps = new EnumMap<>(AggregateType.class);
        for (AggregateType type : List.of(AggregateType.COUNT, AggregateType.SUM, AggregateType.MIN, AggregateType.MAX)) {
            XorChunkAppender app = aggregateFloats(batch, type, resolution, range);
            if (app != null) {
                apps.put(type, app);
            }
        }
        // counters: resets applied across the chunks, first and last raw values kept
        clear();
        CounterResets counters = new CounterResets(batch);
        long lastT = 0;
        while (counters.next()) {
            double v = counters.value;
            long t = counters.lastT;
            if (!isStale(v) && t >= lastT) {
                push(t, v);
                lastT = t;
            }
        }
        if (size > 0) {
            XorChunkAppender app = new XorChunkAppender();
            apps.put(AggregateType.COUNTER, app);
            app.append(times[0], values[0]);
            long last = downsampleBatch(times, values, size, resolution, (t, a) -> {
                widen(range, t);
                app.append(t, a.counter);
            });
            app.append(last, counters.lastV);
        }
        Map<AggregateType, byte[]> bytes = new EnumMap<>(AggregateType.class);
        apps.forEach((type, app) -> bytes.put(type, app.toByteArray()));
        long mint = range[0];
        long maxt = range[1] == Long.MIN_VALUE ? mint : range[1];
        return new EncodedChunk(mint, Math.max(mint, maxt), ChunkEncoding.AGGREGATE.code(), AggregateChunk.encode(bytes));
    }

    /**
     * Thanos' genericAggregate: one float aggregate (count, sum, min or max) of a batch of aggregate chunks re-aggregated
     * per window; null when no chunk holds it. {@code range} widens with the windows' timestamps.
     */
    XorChunkAppender aggregateFloats(List<AggregateChunk> batch, AggregateType type, long resolution, long[] range)
            throws StorageException {
        clear();
        for (AggregateChunk chunk : batch) {
            if (chunk.has(type)) {
                expandAggregate(chunk, type);
            }
        }
        if (size == 0) {
            return null;
        }
        XorChunkAppender app = new XorChunkAppender();
        downsampleBatch(times, values, size, resolution, (t, a) -> {
            widen(range, t);
            app.append(t, switch (type) {
                case COUNT, SUM -> a.sum; // counts of windows add up
                case MIN -> a.min;
                case MAX -> a.max;
                case COUNTER -> throw new IllegalStateException();
            });
        });
        return app;
    }

    /** Thanos widens the range with "if t < mint … else if t > maxt", so the first window never sets maxt. */
    private static void widen(long[] range, long t) {
        if (t < range[0]) {
            range[0] = t;
        } else if (t > range[1]) {
            range[1] = t;
        }
    }

    private void expandAggregate(AggregateChunk chunk, AggregateType type) throws StorageException {
        XorSampleIterator it = chunk.samples(type, reusable);
        long lastT = 0; // per chunk, as in Thanos
        while (it.next()) {
            double v = it.value();
            if (isStale(v)) {
                continue;
            }
            long t = it.timestamp();
            if (t >= lastT) {
                push(t, v);
                lastT = t;
            }
        }
    }

    /**
     * Thanos' ApplyCounterResetsSeriesIterator over the counter sub-chunks: a running total that never goes down; a
     * sample repeating the previous timestamp carries the true last raw value of its chunk.
     */
    static final class CounterResets {
        private final List<XorSampleIterator> chunks = new ArrayList<>();
        private int index;
        private int total;
        long lastT;
        double lastV;
        double value;

        CounterResets(List<AggregateChunk> batch) throws StorageException {
            for (AggregateChunk chunk : batch) {
                if (chunk.has(AggregateType.COUNTER)) {
                    chunks.add(chunk.samples(AggregateType.COUNTER, null));
                }
            }
        }

        boolean next() throws StorageException {
            while (index < chunks.size()) {
                XorSampleIterator it = chunks.get(index);
                if (!it.next()) {
                    index++;
                    continue;
                }
                long t = it.timestamp();
                double v = it.value();
                if (Double.isNaN(v)) {
                    continue;
                }
                if (total == 0) {
                    total++;
                    lastT = t;
                    lastV = v;
                    value = v;
                    return true;
                }
                if (t > lastT) {
                    value += v >= lastV ? v - lastV : v;
                    lastT = t;
                    lastV = v;
                    total++;
                    return true;
                }
                if (t == lastT) {
                    lastV = v;
                }
            }
            return false;
        }
    }
}
