package io.gauntlet.store;

import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * Samples of consecutive chunks where downsampled chunks yield sum / count per window (Thanos' average iterator for
 * functions without a matching aggregate) and raw chunks their samples. A native histogram's sum part is a float
 * histogram chunk: its average is that histogram divided by the count.
 */
final class AverageSampleIterator implements SampleIterator {
    private final List<EncodedChunk> chunks;
    private final io.gauntlet.tsdb.chunks.ChunkDecoders decoders = new io.gauntlet.tsdb.chunks.ChunkDecoders();
    private SampleIterator raw = SampleIterator.EMPTY;
    private final io.gauntlet.tsdb.chunks.ChunkDecoders sumDecoders = new io.gauntlet.tsdb.chunks.ChunkDecoders();
    private SampleIterator sum = SampleIterator.EMPTY;
    private final XorSampleIterator count = new XorSampleIterator();
    private io.gauntlet.tsdb.histogram.FloatHistogram average;
    private int index = -1;
    private boolean aggregated;
    private long timestamp;
    private double value;

    AverageSampleIterator(List<EncodedChunk> chunks) {
        this.chunks = chunks;
    }

    @Override
    public boolean next() throws StorageException {
        while (true) {
            if (index >= 0 && index < chunks.size()) {
                if (aggregated) {
                    boolean hasSum = sum.next();
                    if (hasSum != count.next()) {
                        throw new StorageException("downsampled chunk: sum and count aggregates hold different numbers of samples");
                    }
                    if (hasSum) {
                        if (sum.timestamp() != count.timestamp()) {
                            throw new StorageException("downsampled chunk: sum and count timestamps differ ("
                                    + sum.timestamp() + " and " + count.timestamp() + ")");
                        }
                        timestamp = sum.timestamp();
                        if (sum.sampleType().isHistogram()) {
                            average = sum.floatHistogram().copy().div(count.value());
                        } else {
                            average = null;
                            value = sum.value() / count.value();
                        }
                        return true;
                    }
                } else if (raw.next()) {
                    timestamp = raw.timestamp();
                    value = raw.sampleType().isHistogram() ? 0 : raw.value();
                    return true;
                }
            }
            if (++index >= chunks.size()) {
                index = chunks.size();
                return false;
            }
            open(chunks.get(index));
        }
    }

    private void open(EncodedChunk chunk) throws StorageException {
        if (chunk.encoding() >= 1 && chunk.encoding() <= 3) {
            aggregated = false;
            raw = decoders.open(chunk.encoding(), chunk.data()); // raw floats or native histograms
        } else if (chunk.encoding() == StoreWire.TSDB_AGGREGATE) {
            AggregateChunk decoded = AggregateChunk.decode(chunk.data());
            if (!decoded.has(AggregateType.SUM) || !decoded.has(AggregateType.COUNT)) {
                throw new UnsupportedEncodingException("downsampled chunk [" + chunk.minTime() + ", " + chunk.maxTime()
                        + "] lacks the sum or count aggregate an average needs");
            }
            aggregated = true;
            sum = decoded.decode(AggregateType.SUM, sumDecoders);
            decoded.samples(AggregateType.COUNT, count);
        } else {
            throw new UnsupportedEncodingException("chunk encoding " + chunk.encoding() + " cannot be read as float samples");
        }
    }

    @Override
    public boolean seek(long t) throws StorageException {
        if (index >= 0 && index < chunks.size() && timestamp >= t) {
            return true;
        }
        while (next()) {
            if (timestamp >= t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public double value() {
        if (aggregated ? average != null : raw.sampleType().isHistogram()) {
            throw new IllegalStateException("the current sample is a histogram, not a float");
        }
        return value;
    }

    @Override
    public io.gauntlet.tsdb.storage.SampleType sampleType() {
        if (aggregated) {
            return average != null ? io.gauntlet.tsdb.storage.SampleType.FLOAT_HISTOGRAM : io.gauntlet.tsdb.storage.SampleType.FLOAT;
        }
        return raw.sampleType();
    }

    @Override
    public io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
        if (aggregated) {
            if (average == null) {
                throw new IllegalStateException("the current sample is a float, not a histogram");
            }
            return average;
        }
        return raw.floatHistogram();
    }
}
