package io.gauntlet.tsdb.chunks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one series' samples into XOR chunks exactly where the Prometheus 2.42 head does ({@code memSeries
 * .appendPreprocessor}), so that Gauntlet-written blocks have the same chunks as Prometheus and promtool blocks: a
 * chunk never crosses a multiple of the chunk range; once it holds 30 samples its end is re-predicted so the rest of
 * the range splits into chunks of ~120 samples; it is cut at 240 samples regardless. (2.42 has no byte limit.)
 *
 * <p>The chunk range decides the boundaries: a Prometheus server's head uses 2 h ({@link #DEFAULT_CHUNK_RANGE}), while
 * {@code promtool tsdb create-blocks-from} writes each block through a head with twice the block duration
 * ({@link #backfillChunkRange(long)}); to write blocks identical to promtool's, use the latter.
 *
 * <p>Use: {@link #append} the samples of a series in time order, {@link #finish()}, then the next series.
 */
public final class SeriesChunkCutter {
    /** The chunk range of a Prometheus server's head (its minimum block duration, 2 h). */
    public static final long DEFAULT_CHUNK_RANGE = 7_200_000L;
    /** Prometheus' target samples per chunk. */
    public static final int SAMPLES_PER_CHUNK = 120;

    /** Receives each finished chunk; the appender is reused afterwards, so copy what you keep. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(XorChunkAppender chunk) throws IOException;
    }

    /** A finished chunk as a value. */
    public record CutChunk(long minTime, long maxTime, int sampleCount, byte[] data) {
    }

    private final long chunkRange;
    private final ChunkSink sink;
    private final XorChunkAppender chunk = new XorChunkAppender(256);
    private long nextAt;
    private long lastTimestamp;
    private boolean empty = true;

    public SeriesChunkCutter(long chunkRange, ChunkSink sink) {
        if (chunkRange <= 0) {
            throw new IllegalArgumentException("chunk range must be positive, got " + chunkRange);
        }
        this.chunkRange = chunkRange;
        this.sink = sink;
    }

    /** Appends the next sample of the current series; timestamps must strictly increase. */
    public void append(long timestamp, double value) throws IOException {
        if (!empty && timestamp <= lastTimestamp) {
            throw new IllegalArgumentException((timestamp == lastTimestamp ? "duplicate" : "out-of-order")
                    + " sample at " + timestamp + " after " + lastTimestamp + ": samples must have increasing timestamps");
        }
        int samples = chunk.sampleCount();
        if (samples == 0) {
            nextAt = rangeEnd(timestamp, chunkRange);
        } else {
            if (samples == SAMPLES_PER_CHUNK / 4) {
                nextAt = predictChunkEnd(chunk.minTime(), chunk.maxTime(), nextAt);
            }
            if (timestamp >= nextAt || samples >= SAMPLES_PER_CHUNK * 2) {
                emit();
                nextAt = rangeEnd(timestamp, chunkRange);
            }
        }
        chunk.append(timestamp, value);
        lastTimestamp = timestamp;
        empty = false;
    }

    /** Emits the open chunk (if any) and readies the cutter for the next series. */
    public void finish() throws IOException {
        emit();
        empty = true;
    }

    private void emit() throws IOException {
        if (chunk.sampleCount() > 0) {
            sink.accept(chunk);
            chunk.reset();
        }
    }

    /** The chunk range promtool's backfill uses for blocks of {@code blockDuration}: twice the block duration. */
    public static long backfillChunkRange(long blockDuration) {
        return 2 * blockDuration;
    }

    /** End of the chunk range containing t ({@code rangeForTimestamp}; Go's truncating division). */
    static long rangeEnd(long t, long width) {
        return (t / width) * width + width;
    }

    /** Prometheus' {@code computeChunkEndTime}: make the remaining chunks of the range equally sized. */
    static long predictChunkEnd(long start, long current, long max) {
        long divisor = (current - start + 1) * 4;
        if (divisor <= 0) {
            return max;
        }
        long n = (max - start) / divisor;
        if (n <= 1) {
            return max;
        }
        return start + (max - start) / n;
    }

    /** Convenience for tests and small series: cuts {@code count} samples into chunk values. */
    public static List<CutChunk> cut(long[] timestamps, double[] values, int count, long chunkRange) {
        List<CutChunk> chunks = new ArrayList<>();
        SeriesChunkCutter cutter = new SeriesChunkCutter(chunkRange,
                c -> chunks.add(new CutChunk(c.minTime(), c.maxTime(), c.sampleCount(), c.toByteArray())));
        try {
            for (int i = 0; i < count; i++) {
                cutter.append(timestamps[i], values[i]);
            }
            cutter.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the list sink does no I/O
        }
        return chunks;
    }
}
