package io.gauntlet.tsdb.storage;

import io.gauntlet.tsdb.Labels;
import java.util.List;
import java.util.Set;

/**
 * Series as encoded chunks rather than samples: what a store passes on without decoding. Chunks of a
 * series come in ascending min time.
 */
public interface ChunkSeriesSet {
    boolean next() throws StorageException;

    Labels labels();

    /** The chunks of the current series; valid until the next call to {@link #next()}. */
    List<EncodedChunk> chunks();

    /**
     * Every distinct list of label names among this set's series (read ones included), or null when the set cannot tell
     * before reading them. Lets a reader that drops labels know which shorter label sets can still come.
     */
    default Set<List<String>> labelNameLists() throws StorageException {
        return null;
    }

    /** An encoded chunk: {@code encoding} is the TSDB encoding byte (1 XOR, 2 histogram, 3 float histogram, 0xFF aggregate). */
    record EncodedChunk(long minTime, long maxTime, int encoding, byte[] data) {
    }
}
