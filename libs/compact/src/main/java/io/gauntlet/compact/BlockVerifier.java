package io.gauntlet.compact;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.index.SeriesEntry;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a block before it is uploaded (Thanos' {@code block.VerifyIndex}): series strictly in index order, every
 * chunk inside the block's range, ordered and not overlapping within its series, readable with a valid CRC, and
 * the meta's series and chunk counts matching the index.
 */
public final class BlockVerifier {
    private static final int MAX_PROBLEMS = 10;

    private BlockVerifier() {
    }

    /** The problems found (empty when the block is sound); reading errors are problems too. */
    public static List<String> verify(Path blockDirectory) throws IOException {
        List<String> problems = new ArrayList<>();
        try (BlockReader block = BlockReader.open(blockDirectory)) {
            BlockMeta meta = block.meta();
            Postings postings = block.index().allPostings();
            SeriesEntry entry = new SeriesEntry();
            Labels previous = null;
            long series = 0;
            long chunks = 0;
            while (postings.next() && problems.size() < MAX_PROBLEMS) {
                block.index().series(postings.at(), entry);
                Labels labels = entry.labels();
                if (previous != null && Utf8Order.compare(previous, labels) >= 0) {
                    problems.add("series " + labels + " is not after " + previous + " in the index");
                }
                long previousMax = Long.MIN_VALUE;
                for (int i = 0; i < entry.chunkCount(); i++) {
                    long min = entry.chunkMinTime(i);
                    long max = entry.chunkMaxTime(i);
                    if (min < meta.minTime() || max >= meta.maxTime() || max < min) {
                        problems.add("chunk [" + min + ", " + max + "] of " + labels + " is outside the block's [" + meta.minTime() + ", "
                                + meta.maxTime() + ")");
                    }
                    if (i > 0 && min <= previousMax) {
                        problems.add("chunk at " + min + " of " + labels + " overlaps the chunk before it (ends " + previousMax + ")");
                    }
                    previousMax = max;
                    block.chunks().chunk(entry.chunkRef(i)); // checks the CRC
                }
                previous = labels;
                series++;
                chunks += entry.chunkCount();
            }
            if (problems.isEmpty() && (series != meta.stats().numSeries() || chunks != meta.stats().numChunks())) {
                problems.add("meta.json counts " + meta.stats().numSeries() + " series and " + meta.stats().numChunks()
                        + " chunks, the index has " + series + " and " + chunks);
            }
        } catch (StorageException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }
}
