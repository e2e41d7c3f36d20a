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
 * functions without a matching aggregate) and raw chunks their samples.
 */
final class AverageSampleIterator implements SampleIterator {
    private final List<EncodedChunk> chunks;
    private final io.gauntlet.tsdb.chunks.ChunkDecoders decoders = new io.gauntlet.tsdb.chunks.ChunkDecoders();
    private SampleIterator raw = SampleIterator.EMPTY;
    private final XorSampleIterator sum = new XorSampleIterator();
    private final XorSampleIterator count = new XorSampleIterator();
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
                    if (sum.next() && count.next()) {
                        timestamp = sum.timestamp();
                        value = sum.value() / count.value();
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
            sum.reset(decoded.toByteArray(AggregateType.SUM));
            count.reset(decoded.toByteArray(AggregateType.COUNT));
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
        if (!aggregated && raw.sampleType().isHistogram()) {
            throw new IllegalStateException("the current sample is a histogram, not a float");
        }
        return value;
    }

    @Override
    public io.gauntlet.tsdb.storage.SampleType sampleType() {
        return aggregated ? io.gauntlet.tsdb.storage.SampleType.FLOAT : raw.sampleType();
    }

    @Override
    public io.gauntlet.tsdb.histogram.FloatHistogram floatHistogram() {
        if (aggregated) {
            throw new IllegalStateException("the current sample is a float, not a histogram");
        }
        return raw.floatHistogram();
    }
}
