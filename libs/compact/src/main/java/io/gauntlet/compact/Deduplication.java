package io.gauntlet.compact;

/** How vertical compaction merges overlapping blocks (Thanos {@code deduplication.func}). */
public enum Deduplication {
    /** Overlapping blocks are an error: the group halts. */
    NONE,
    /** Prometheus' chain merge: the union of samples, the first block winning on equal timestamps. */
    CHAIN,
    /** Thanos' penalty algorithm between HA replicas (as the querier deduplicates), chain merge within a replica. */
    PENALTY;

    /** Parses Thanos' flag values: "" (chain, Thanos' default once a replica label is set), "penalty", "chain", "none". */
    public static Deduplication parse(String value) {
        return switch (value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "", "chain" -> CHAIN;
            case "penalty" -> PENALTY;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("unknown deduplication function '" + value + "': use penalty, chain or none");
        };
    }
}
