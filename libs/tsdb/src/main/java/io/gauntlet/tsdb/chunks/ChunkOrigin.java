package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;

/**
 * Where a chunk's bytes come from (block, file such as {@code chunks/000001}, byte offset of the chunk), so that a
 * decoding error can name the place.
 */
public record ChunkOrigin(String block, String file, long offset) {
    private static final ChunkOrigin UNKNOWN = new ChunkOrigin("", "chunk", -1);

    public ChunkOrigin {
        if (block == null || file == null) {
            throw new IllegalArgumentException("block and file must not be null");
        }
    }

    /** For chunks that did not come from a file (in memory, over the network). */
    public static ChunkOrigin unknown() {
        return UNKNOWN;
    }

    CorruptedDataException corrupted(String problem) {
        return new CorruptedDataException(block, file, offset, problem);
    }
}
