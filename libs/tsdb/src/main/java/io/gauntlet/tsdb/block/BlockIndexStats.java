package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.chunks.ChunkSegmentReader;
import io.gauntlet.tsdb.index.IndexReader;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Measures {@code thanos.index_stats} of a block written by someone else (a Prometheus block the shipper uploads, a
 * block an operator uploads): the largest series entry (distance between consecutive series, padding included) and
 * the largest stored chunk. Block writers of our own count them as they write instead.
 */
public final class BlockIndexStats {
    private BlockIndexStats() {
    }

    public static BlockMeta.IndexStats measure(Path blockDirectory) throws IOException, StorageException {
        long seriesMax = 0;
        try (IndexReader index = IndexReader.open(blockDirectory.resolve("index"))) {
            if (index.version() == IndexReader.FORMAT_V2) {
                Postings all = index.allPostings();
                long previous = -1;
                while (all.next()) {
                    long id = all.at();
                    if (previous >= 0) {
                        seriesMax = Math.max(seriesMax, (id - previous) * 16);
                    }
                    previous = id;
                }
                if (previous >= 0) {
                    seriesMax = Math.max(seriesMax, (index.seriesSectionEnd() - previous * 16 + 15) / 16 * 16);
                }
            }
        }
        long chunkMax;
        try (ChunkSegmentReader chunks = ChunkSegmentReader.open(blockDirectory.resolve("chunks"))) {
            chunkMax = chunks.maxStoredChunkSize();
        }
        return BlockMeta.IndexStats.of(seriesMax, chunkMax);
    }
}
