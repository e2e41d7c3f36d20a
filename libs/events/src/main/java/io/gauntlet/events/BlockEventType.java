package io.gauntlet.events;

/** The facts a block event reports, each with its CloudEvents {@code type}. */
public enum BlockEventType {
    /** meta.json (the last file of a block) is in the bucket. */
    UPLOADED("io.gauntlet.block.uploaded"),
    /** deletion-mark.json is in the bucket; the block goes after the delete delay. */
    MARKED_FOR_DELETION("io.gauntlet.block.marked-for-deletion"),
    /** the block's files are gone from the bucket. */
    DELETED("io.gauntlet.block.deleted"),
    /**
     * no-compact-mark.json is in the bucket: compaction and downsampling leave the block alone. Why is in the mark
     * (its {@code reason} and {@code details}), e.g. a corruption the compactor found in the block.
     */
    MARKED_NO_COMPACT("io.gauntlet.block.marked-no-compact"),
    /** no-downsample-mark.json is in the bucket: the compactor leaves the block at its resolution (it still compacts it). */
    MARKED_NO_DOWNSAMPLE("io.gauntlet.block.marked-no-downsample");

    private final String cloudEventType;

    BlockEventType(String cloudEventType) {
        this.cloudEventType = cloudEventType;
    }

    public String cloudEventType() {
        return cloudEventType;
    }

    /** The type for a CloudEvents {@code type} attribute, or null when it is not a block event type. */
    public static BlockEventType fromCloudEventType(String type) {
        for (BlockEventType candidate : values()) {
            if (candidate.cloudEventType.equals(type)) {
                return candidate;
            }
        }
        return null;
    }
}
