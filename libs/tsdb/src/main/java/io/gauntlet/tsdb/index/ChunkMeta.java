package io.gauntlet.tsdb.index;

/**
 * One chunk of a series as the index lists it: the chunk's time range {@code [minTime, maxTime]} (both
 * inclusive, in ms) and its reference into the chunk segment files (upper 32 bits the segment index,
 * lower 32 bits the byte offset).
 */
public record ChunkMeta(long minTime, long maxTime, long ref) {
    public ChunkMeta {
        if (maxTime < minTime) {
            throw new IllegalArgumentException("chunk maxTime " + maxTime + " is before minTime " + minTime);
        }
    }

    /** Whether the chunk overlaps the closed interval {@code [mint, maxt]}. */
    public boolean overlaps(long mint, long maxt) {
        return minTime <= maxt && mint <= maxTime;
    }
}
