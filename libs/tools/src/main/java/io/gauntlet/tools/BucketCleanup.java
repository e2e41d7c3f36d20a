package io.gauntlet.tools;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.compact.BucketScan;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * {@code retention} and {@code cleanup}: what the compactor does at the end of a sync, run once by hand. Retention
 * marks blocks for deletion; cleanup deletes blocks marked longer than the delete delay ago (meta.json first, so a
 * crash leaves a partial upload, never a half-deleted block that looks whole) and abandoned partial uploads.
 */
public final class BucketCleanup {
    private final Bucket bucket;
    private final ToolEvents events;
    private final Clock clock;

    public BucketCleanup(Bucket bucket, ToolEvents events, Clock clock) {
        this.bucket = bucket;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Marks for deletion every block that ends before now minus its resolution's retention (zero: kept forever).
     *
     * @return the blocks marked now
     */
    public List<Ulid> applyRetention(LongFunction<Duration> retentionByResolution) {
        Instant now = clock.instant();
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        BlockMarker marker = new BlockMarker(bucket, events, clock);
        List<Ulid> marked = new ArrayList<>();
        for (BlockMeta meta : snapshot.metas().values()) {
            long resolution = meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
            Duration retention = retentionByResolution.apply(resolution);
            if (retention.isZero() || snapshot.deletionMarks().containsKey(meta.ulid())
                    || meta.maxTime() >= now.toEpochMilli() - retention.toMillis()) {
                continue;
            }
            if (marker.mark(meta.ulid(), DeletionMark.FILE, "retention of resolution " + resolution + " ms is " + retention)
                    == BlockMarker.Outcome.MARKED) {
                marked.add(meta.ulid());
            }
        }
        return marked;
    }

    /** What {@link #cleanup} deleted. */
    public record Cleaned(List<Ulid> blocks, List<Ulid> partials) {
    }

    /**
     * Deletes blocks whose deletion mark is older than {@code deleteDelay}, and partial uploads (no meta.json) whose
     * ULID time is older than {@code partialUploadAge} and which carry no deletion mark.
     */
    public Cleaned cleanup(Duration deleteDelay, Duration partialUploadAge) {
        Instant now = clock.instant();
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<Ulid> blocks = new ArrayList<>();
        for (DeletionMark mark : snapshot.deletionMarks().values()) {
            if (mark.deletionTime() + deleteDelay.toSeconds() > now.getEpochSecond()) {
                continue;
            }
            BlockTransfer.deleteBlock(bucket, mark.id());
            blocks.add(mark.id());
            BlockMeta meta = snapshot.metas().get(mark.id());
            if (meta != null) {
                events.publish(BlockEventType.DELETED, meta);
            }
        }
        List<Ulid> partials = new ArrayList<>();
        for (Ulid partial : snapshot.partials()) {
            if (partial.timestamp() + partialUploadAge.toMillis() > now.toEpochMilli() || snapshot.deletionMarks().containsKey(partial)) {
                continue;
            }
            for (String object : bucket.list(partial + Bucket.DELIMITER, true)) {
                bucket.delete(object);
            }
            partials.add(partial);
        }
        return new Cleaned(blocks, partials);
    }
}
