package io.gauntlet.tools;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify --repair} for what Thanos repairs by removing blocks: of blocks compacted twice from the same sources,
 * the oldest stays and every other one is first copied to the backup bucket, then marked for deletion (the compactor or
 * {@code cleanup} deletes it after the delete delay; {@code block.marked-for-deletion} tells the gateways now). Other
 * issues are left for the operator: Thanos' index repair, which rewrites a damaged block, is not implemented.
 */
public final class BucketRepair {
    /** What was done: the blocks backed up and marked, and the issues left as they are. */
    public record Repaired(List<Ulid> removed, List<BucketVerifier.Issue> notRepaired) {
    }

    private final Bucket bucket;
    private final Bucket backup;
    private final ToolEvents events;
    private final Clock clock;

    public BucketRepair(Bucket bucket, Bucket backup, ToolEvents events, Clock clock) {
        this.bucket = bucket;
        this.backup = backup;
        this.events = events;
        this.clock = clock;
    }

    public Repaired repair(List<BucketVerifier.Issue> issues) {
        List<Ulid> removed = new ArrayList<>();
        List<BucketVerifier.Issue> left = new ArrayList<>();
        BucketReplicator backups = new BucketReplicator(bucket, backup, ToolEvents.none());
        BlockMarker marker = new BlockMarker(bucket, events, clock);
        for (BucketVerifier.Issue issue : issues) {
            if (!issue.kind().equals(BucketVerifier.DUPLICATED_COMPACTION)) {
                left.add(issue);
                continue;
            }
            Ulid kept = issue.blocks().getFirst(); // sorted: the oldest compaction stays
            for (Ulid duplicate : issue.blocks().subList(1, issue.blocks().size())) {
                backups.copyBlock(duplicate);
                marker.mark(duplicate, DeletionMark.FILE, "duplicated compaction of " + kept + " (verify --repair; backup in " + backup.name() + ")");
                removed.add(duplicate);
            }
        }
        return new Repaired(List.copyOf(removed), List.copyOf(left));
    }
}
