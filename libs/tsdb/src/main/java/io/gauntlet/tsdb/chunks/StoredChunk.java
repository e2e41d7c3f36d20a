package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One chunk as it lies in a segment file: its reference, encoding and a zero-copy view of its data (without the
 * length, encoding byte and CRC). The view is valid until the {@link ChunkSegmentReader} is closed.
 */
public record StoredChunk(long ref, ChunkEncoding encoding, MemorySegment data, ChunkOrigin origin) {
    /** A heap copy of the data, e.g. to send it over the network. */
    public byte[] toByteArray() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    /** The samples of an XOR or histogram chunk through one of {@code decoders}; aggregate chunks fail. */
    public io.gauntlet.tsdb.storage.SampleIterator decode(ChunkDecoders decoders) throws StorageException {
        return decoders.open(encoding, data, 0, data.byteSize(), origin);
    }

    /**
     * The float samples of an XOR chunk, reusing {@code reuse} when given; histogram and aggregate chunks fail with
     * {@link UnsupportedEncodingException}.
     */
    public XorSampleIterator samples(XorSampleIterator reuse) throws StorageException {
        encoding.requireFloatSamples();
        XorSampleIterator iterator = reuse == null ? new XorSampleIterator() : reuse;
        return iterator.reset(data, 0, data.byteSize(), origin);
    }

    /** The sub-chunks of a Thanos downsampled chunk. */
    public AggregateChunk aggregate() throws StorageException {
        if (encoding != ChunkEncoding.AGGREGATE) {
            throw new UnsupportedEncodingException(
                    "chunk " + ref + " has encoding " + encoding + ", not a downsampled aggregate chunk");
        }
        return AggregateChunk.decode(data, origin);
    }
}
