package io.gauntlet.compact;

import io.gauntlet.tsdb.block.BlockMeta;
import java.util.List;

/** Blocks of one group overlap in time and no deduplication is configured: the group cannot be compacted safely. */
public final class OverlappingBlocksException extends RuntimeException {
    private final transient List<BlockMeta> blocks;

    public OverlappingBlocksException(String group, List<BlockMeta> blocks) {
        super(message(group, blocks));
        this.blocks = List.copyOf(blocks);
    }

    public List<BlockMeta> blocks() {
        return blocks;
    }

    private static String message(String group, List<BlockMeta> blocks) {
        StringBuilder text = new StringBuilder("group ").append(group).append(": blocks overlap in time:");
        for (BlockMeta block : blocks) {
            text.append(' ').append(block.ulid()).append(" [").append(block.minTime()).append(", ").append(block.maxTime()).append(')');
            if (block.thanos() != null) {
                text.append(' ').append(block.thanos().labels());
            }
        }
        return text.append(". If they are HA replicas, set deduplication.replica-label to the label that tells them apart"
                + " (vertical compaction merges them); otherwise remove or mark the wrong block with no-compact-mark.json"
                + " (thanos tools bucket mark) and the group resumes.").toString();
    }
}
