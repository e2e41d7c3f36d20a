package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.StoredChunk;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import io.gauntlet.tsdb.storage.StorageException;

/**
 * Samples of one block series: decodes its chunks (XOR, histogram, float histogram) one after the other from the
 * mapped segment files (each chunk's CRC checked when it is reached), keeps samples inside {@code [mint, maxt]} and
 * skips deleted ones. Reusable through {@link io.gauntlet.tsdb.storage.Series#iterator(SampleIterator)}; allocates
 * nothing per sample.
 */
final class BlockSampleIterator implements SampleIterator {
    private final ChunkDecoders decoders = new ChunkDecoders();
    private SampleIterator chunkSamples = SampleIterator.EMPTY;
    private BlockSeriesSet.BlockSeries series;
    private TimeIntervals.Cursor deleted;
    private int chunkIndex;
    private boolean inChunk;
    private StoredChunk chunk;
    private boolean done;
    private boolean hasCurrent;
    private long timestamp;
    private double value;
    private SampleType type = SampleType.FLOAT;
    private long lastDecoded;

    BlockSampleIterator reset(BlockSeriesSet.BlockSeries newSeries) {
        series = newSeries;
        deleted = newSeries.deleted().isEmpty() ? null : newSeries.deleted().cursor();
        chunkIndex = -1;
        inChunk = false;
        chunk = null;
        done = false;
        hasCurrent = false;
        lastDecoded = Long.MIN_VALUE;
        return this;
    }

    @Override
    public boolean next() throws StorageException {
        return advance(Long.MIN_VALUE);
    }

    @Override
    public boolean seek(long t) throws StorageException {
        if (hasCurrent && timestamp >= t) {
            return true;
        }
        return advance(t);
    }

    /** Moves to the next kept sample at or after {@code target}, skipping whole chunks that end before it. */
    private boolean advance(long target) throws StorageException {
        if (done) {
            return false;
        }
        long mint = Math.max(series.mint(), target);
        while (true) {
            if (!inChunk) {
                chunkIndex++;
                while (chunkIndex < series.refs().length && series.maxTimes()[chunkIndex] < mint) {
                    chunkIndex++;
                }
                if (chunkIndex >= series.refs().length) {
                    return finish();
                }
                chunk = series.block().chunks().chunk(series.refs()[chunkIndex]);
                chunkSamples = chunk.decode(decoders);
                inChunk = true;
            }
            while (chunkSamples.next()) {
                long t = chunkSamples.timestamp();
                if (t <= lastDecoded) {
                    throw new CorruptedDataException(chunk.origin().block(), chunk.origin().file(), chunk.origin().offset(),
                            "sample at " + t + " does not come after the previous one at " + lastDecoded);
                }
                lastDecoded = t;
                if (t > series.maxt()) {
                    return finish();
                }
                if (t < mint || (deleted != null && deleted.deleted(t))) {
                    continue;
                }
                timestamp = t;
                type = chunkSamples.sampleType();
                value = type == SampleType.FLOAT ? chunkSamples.value() : 0;
                hasCurrent = true;
                return true;
            }
            inChunk = false;
        }
    }

    private boolean finish() {
        done = true;
        hasCurrent = false;
        return false;
    }

    @Override
    public long timestamp() {
        if (!hasCurrent) {
            throw new IllegalStateException("no current sample");
        }
        return timestamp;
    }

    @Override
    public double value() {
        if (!hasCurrent) {
            throw new IllegalStateException("no current sample");
        }
        if (type != SampleType.FLOAT) {
            throw new IllegalStateException("the current sample is a histogram, not a float");
        }
        return value;
    }

    @Override
    public SampleType sampleType() {
        return type;
    }

    @Override
    public FloatHistogram floatHistogram() {
        if (!hasCurrent || type == SampleType.FLOAT) {
            throw new IllegalStateException("no current histogram sample");
        }
        return chunkSamples.floatHistogram();
    }

    @Override
    public io.gauntlet.tsdb.histogram.Histogram histogram() {
        if (!hasCurrent || type != SampleType.HISTOGRAM) {
            throw new IllegalStateException("no current integer histogram sample");
        }
        return chunkSamples.histogram();
    }
}
