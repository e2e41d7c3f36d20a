package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.MemorySegment;

/**
 * One reusable decoder per sample-holding encoding (XOR, histogram, float histogram): {@link #open} resets the one a
 * chunk needs, so that a reader walking many chunks of mixed encodings allocates no iterator per chunk.
 */
public final class ChunkDecoders {
    private final XorSampleIterator floats = new XorSampleIterator();
    private final HistogramSampleIterator histograms = new HistogramSampleIterator();
    private final FloatHistogramSampleIterator floatHistograms = new FloatHistogramSampleIterator();

    /** The samples of {@code length} bytes of chunk data at {@code offset}; aggregate chunks fail (read a part instead). */
    public SampleIterator open(ChunkEncoding encoding, MemorySegment data, long offset, long length, ChunkOrigin origin)
            throws StorageException {
        return switch (encoding) {
            case XOR -> floats.reset(data, offset, length, origin);
            case HISTOGRAM -> histograms.reset(data, offset, length, origin);
            case FLOAT_HISTOGRAM -> floatHistograms.reset(data, offset, length, origin);
            case AGGREGATE -> throw new UnsupportedEncodingException(
                    "a downsampled (aggregate) chunk has no raw samples: read one of its aggregates instead");
        };
    }

    /** {@link #open} for a chunk identified by its TSDB encoding byte. */
    public SampleIterator open(int encodingCode, byte[] data) throws StorageException {
        if (!ChunkEncoding.isKnown(encodingCode)) {
            throw new UnsupportedEncodingException("unknown chunk encoding " + encodingCode);
        }
        return open(ChunkEncoding.ofCode(encodingCode), MemorySegment.ofArray(data), 0, data.length, ChunkOrigin.unknown());
    }
}
