package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.Arrays;

/** The series a {@link BlockReader#select} selects, in index order, with iterators over the mapped chunks. */
final class BlockSeriesSet implements SeriesSet {
    private final SelectedSeriesWalk walk;
    private Series current;

    BlockSeriesSet(BlockReader block, Postings postings, long mint, long maxt) {
        this.walk = new SelectedSeriesWalk(block, postings, mint, maxt);
    }

    @Override
    public boolean next() throws StorageException {
        if (!walk.next()) {
            current = null;
            return false;
        }
        int n = walk.chunkCount;
        current = new BlockSeries(walk.block, walk.labels, Arrays.copyOf(walk.minTimes, n), Arrays.copyOf(walk.maxTimes, n),
                Arrays.copyOf(walk.refs, n), walk.deleted, walk.mint, walk.maxt);
        return true;
    }

    @Override
    public Series at() {
        if (current == null) {
            throw new IllegalStateException("no current series: call next() first");
        }
        return current;
    }

    /** One selected series: its labels and the chunk metas its iterators decode. */
    record BlockSeries(BlockReader block, Labels labels, long[] minTimes, long[] maxTimes, long[] refs, TimeIntervals deleted,
                       long mint, long maxt) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            BlockSampleIterator iterator = reuse instanceof BlockSampleIterator mine ? mine : new BlockSampleIterator();
            return iterator.reset(this);
        }
    }
}
