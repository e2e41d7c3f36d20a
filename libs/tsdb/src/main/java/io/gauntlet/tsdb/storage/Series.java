package io.gauntlet.tsdb.storage;

import io.gauntlet.tsdb.Labels;

/** One series: its labels and its float samples in time order. */
public interface Series {
    Labels labels();

    /**
     * An iterator over the samples; {@code reuse} may be a previous iterator of the same implementation to
     * reset instead of allocating (null for a new one).
     */
    SampleIterator iterator(SampleIterator reuse);
}
