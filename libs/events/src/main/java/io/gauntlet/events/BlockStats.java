package io.gauntlet.events;

/** meta.json's {@code stats}. */
public record BlockStats(long numSamples, long numSeries, long numChunks) {
    public static final BlockStats EMPTY = new BlockStats(0, 0, 0);

    public BlockStats {
        if (numSamples < 0 || numSeries < 0 || numChunks < 0) {
            throw new IllegalArgumentException("block stats must not be negative: " + numSamples + " samples, "
                    + numSeries + " series, " + numChunks + " chunks");
        }
    }
}
