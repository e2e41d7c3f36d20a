package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.index.SeriesEntry;
import java.util.Arrays;

/**
 * Walks the series of a block's postings and keeps, for each, the chunk metas that overlap {@code [mint, maxt]} and
 * are not wholly deleted by tombstones; series left without chunks are skipped (as Prometheus' block querier does).
 */
final class SelectedSeriesWalk {
    final BlockReader block;
    final long mint;
    final long maxt;
    private final Postings postings;
    private final SeriesEntry entry = new SeriesEntry();

    Labels labels;
    TimeIntervals deleted;
    long[] minTimes = new long[8];
    long[] maxTimes = new long[8];
    long[] refs = new long[8];
    int chunkCount;

    SelectedSeriesWalk(BlockReader block, Postings postings, long mint, long maxt) {
        this.block = block;
        this.postings = postings;
        this.mint = mint;
        this.maxt = maxt;
    }

    /** Advances to the next selected series; false at the end. */
    boolean next() throws CorruptedDataException {
        if (mint > maxt) {
            return false;
        }
        while (nextPosting()) {
            long ref = postings.at();
            block.index().series(ref, entry);
            TimeIntervals intervals = block.tombstones().intervals(ref);
            chunkCount = 0;
            for (int i = 0; i < entry.chunkCount(); i++) {
                long chunkMin = entry.chunkMinTime(i);
                long chunkMax = entry.chunkMaxTime(i);
                if (chunkMin > maxt || chunkMax < mint || (!intervals.isEmpty() && intervals.covers(chunkMin, chunkMax))) {
                    continue;
                }
                if (chunkCount == refs.length) {
                    minTimes = Arrays.copyOf(minTimes, 2 * chunkCount);
                    maxTimes = Arrays.copyOf(maxTimes, 2 * chunkCount);
                    refs = Arrays.copyOf(refs, 2 * chunkCount);
                }
                minTimes[chunkCount] = chunkMin;
                maxTimes[chunkCount] = chunkMax;
                refs[chunkCount] = entry.chunkRef(i);
                chunkCount++;
            }
            if (chunkCount > 0) {
                labels = entry.labels();
                deleted = intervals;
                return true;
            }
        }
        return false;
    }

    private boolean nextPosting() throws CorruptedDataException {
        try {
            return postings.next();
        } catch (IndexOutOfBoundsException e) {
            // a postings list is bounds-checked when opened; this only guards against a damaged mapping
            throw new CorruptedDataException(block.block(), "index", -1, "postings list runs outside the file", e);
        }
    }
}
