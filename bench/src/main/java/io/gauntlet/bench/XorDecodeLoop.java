package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * Decodes a fixed set of XOR chunks with whichever {@link XorSampleIterator} its class loader sees:
 * {@link XorDecoderComparison} loads one copy of this class per decoder build and data set, so that each gets its
 * own JIT-compiled code and branch profile. Only JDK types cross the class loaders.
 */
public final class XorDecodeLoop implements LongSupplier {
    private final MemorySegment[] chunks;
    private final XorSampleIterator iterator = new XorSampleIterator();

    public XorDecodeLoop(MemorySegment[] chunks) {
        this.chunks = chunks;
    }

    /** Decodes every chunk once; returns a checksum of every sample. */
    @Override
    public long getAsLong() {
        try {
            long sum = 0;
            for (MemorySegment chunk : chunks) {
                iterator.reset(chunk, 0, chunk.byteSize());
                while (iterator.next()) {
                    sum += iterator.timestamp() ^ iterator.valueBits();
                }
            }
            return sum;
        } catch (StorageException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An order-sensitive hash of every sample's timestamp and value bits, to prove two decoders agree exactly. */
    public long fingerprint() throws StorageException {
        long hash = 17;
        for (MemorySegment chunk : chunks) {
            iterator.reset(chunk, 0, chunk.byteSize());
            hash = hash * 31 + iterator.sampleCount();
            while (iterator.next()) {
                hash = (hash * 31 + iterator.timestamp()) * 31 + iterator.valueBits();
            }
        }
        return hash;
    }
}
