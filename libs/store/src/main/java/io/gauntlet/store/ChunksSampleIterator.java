package io.gauntlet.store;

import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.storage.SampleType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * The samples of consecutive, non-overlapping chunks of one series (raw XOR and native histogram chunks, or one
 * aggregate of downsampled 0xFF chunks, whose parts keep their own encodings), decoded one chunk at a time by reused
 * decoders.
 */
public final class ChunksSampleIterator implements SampleIterator {
    private List<EncodedChunk> chunks;
    private AggregateType aggregate;
    private final ChunkDecoders decoders = new ChunkDecoders();
    private SampleIterator current = SampleIterator.EMPTY;
    private int index = -1;
    private boolean onSample;

    /** @param aggregate which aggregate to read from downsampled chunks; null when only raw chunks are expected */
    public ChunksSampleIterator(List<EncodedChunk> chunks, AggregateType aggregate) {
        this.chunks = chunks;
        this.aggregate = aggregate;
    }

    /** Starts over on other chunks, keeping the decoder: one iterator serves every series of a selection. */
    public void reset(List<EncodedChunk> chunks, AggregateType aggregate) {
        this.chunks = chunks;
        this.aggregate = aggregate;
        this.index = -1;
        this.onSample = false;
    }

    @Override
    public boolean next() throws StorageException {
        while (index < 0 || index >= chunks.size() || !current.next()) {
            if (index >= chunks.size() || ++index >= chunks.size()) {
                index = chunks.size();
                return onSample = false;
            }
            open(chunks.get(index));
        }
        return onSample = true;
    }

    @Override
    public boolean seek(long t) throws StorageException {
        if (onSample && current.timestamp() >= t) {
            return true;
        }
        if (index < chunks.size() && (index < 0 || chunks.get(index).maxTime() < t)) {
            // nothing >= t left in the current chunk: jump over whole chunks that end before t without decoding them
            int next = index + 1;
            while (next < chunks.size() && chunks.get(next).maxTime() < t) {
                next++;
            }
            index = next;
            if (index >= chunks.size()) {
                return onSample = false;
            }
            open(chunks.get(index));
        }
        if (index < chunks.size() && current.seek(t)) {
            return onSample = true;
        }
        while (next()) {
            if (current.timestamp() >= t) {
                return true;
            }
        }
        return false;
    }

    private void open(EncodedChunk chunk) throws StorageException {
        if (chunk.encoding() == StoreWire.TSDB_AGGREGATE && aggregate != null) {
            AggregateChunk decoded = AggregateChunk.decode(chunk.data());
            if (!decoded.has(aggregate)) {
                throw new UnsupportedEncodingException("downsampled chunk [" + chunk.minTime() + ", " + chunk.maxTime() + "] has no " + aggregate + " aggregate");
            }
            current = decoded.decode(aggregate, decoders);
        } else if (chunk.encoding() != StoreWire.TSDB_AGGREGATE && ChunkEncoding.isKnown(chunk.encoding())) {
            current = decoders.open(chunk.encoding(), chunk.data());
        } else {
            throw new UnsupportedEncodingException("chunk encoding " + chunk.encoding() + " cannot be read as samples"
                    + (aggregate == null ? "" : " of " + aggregate));
        }
    }

    @Override
    public long timestamp() {
        return current.timestamp();
    }

    @Override
    public double value() {
        return current.value();
    }

    @Override
    public SampleType sampleType() {
        return current.sampleType();
    }

    @Override
    public FloatHistogram floatHistogram() {
        return current.floatHistogram();
    }

    @Override
    public io.gauntlet.tsdb.histogram.Histogram histogram() {
        return current.histogram();
    }
}
