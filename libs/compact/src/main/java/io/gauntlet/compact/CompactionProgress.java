package io.gauntlet.compact;

/** Receives progress of long work: how far (0..1) and how many samples so far. */
@FunctionalInterface
public interface CompactionProgress {
    CompactionProgress NONE = (fraction, samples) -> { };

    void report(double fraction, long samples);
}
