package io.gauntlet.bucketstore;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.CorruptedDataException.Kind;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import java.time.Instant;

/**
 * A block the store no longer reads because reading it found confirmed damage: where (file and byte offset, -1 when
 * not at one place), what kind, and since when. Its time range and external labels stay known, so that every answer
 * that would have read it says that its data is left out.
 *
 * @param message the corruption as {@link CorruptedDataException} words it: block, file, offset and problem
 */
public record QuarantinedBlock(String id, long minTime, long maxTime, long resolution, Labels externalLabels, String file, long offset,
        Kind kind, String message, Instant since) implements BlockSpan {

    static QuarantinedBlock of(BlockMeta meta, CorruptedDataException corruption, Instant since) {
        Labels labels = meta.thanos() == null ? Labels.EMPTY : Labels.fromMap(meta.thanos().labels());
        long resolution = meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
        return new QuarantinedBlock(meta.ulid().toString(), meta.minTime(), meta.maxTime(), resolution, labels, corruption.file(),
                corruption.offset(), corruption.kind(), corruption.getMessage(), since);
    }

    @Override
    public boolean overlaps(long from, long to) {
        return minTime <= to && from < maxTime;
    }

    /** The warning every Series or label answer that needed the block carries (the StoreAPI {@code warning}). */
    public String warning() {
        return message + "; block left out of the answer, its data [" + Instant.ofEpochMilli(minTime) + ", " + Instant.ofEpochMilli(maxTime)
                + ") " + externalLabels + " is missing";
    }
}
