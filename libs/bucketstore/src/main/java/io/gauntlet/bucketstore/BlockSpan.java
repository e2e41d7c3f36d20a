package io.gauntlet.bucketstore;

import io.gauntlet.tsdb.Labels;

/** What block selection needs of a block, served or quarantined: its range, resolution and external labels. */
interface BlockSpan {
    String id();

    long minTime();

    /** Exclusive, as in meta.json. */
    long maxTime();

    long resolution();

    Labels externalLabels();

    boolean overlaps(long minTime, long maxTime);
}
