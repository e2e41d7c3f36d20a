package io.gauntlet.seed;

import java.util.SplittableRandom;

/**
 * A scraped target (a node, a pod's exporter): when it booted last and when it did not answer. A reboot takes a few
 * scrapes' worth of time during which the target is down; counters of its series start again from zero after it.
 */
public final class Target {
    private final long[] boots;
    private final long downFor;

    /**
     * @param boots   reboot times (ms), increasing; the first one is the boot before the history starts
     * @param downFor how long (ms) the target does not answer after each reboot but the first
     */
    public Target(long[] boots, long downFor) {
        if (boots.length == 0) {
            throw new IllegalArgumentException("a target needs its boot time");
        }
        this.boots = boots.clone();
        this.downFor = downFor;
    }

    /**
     * A target booted some days before {@code start} that reboots {@code reboots} times at random points of
     * {@code [start, end)}, down for {@code downFor} each time.
     */
    public static Target rebooting(SplittableRandom random, long start, long end, int reboots, long downFor) {
        long[] boots = new long[reboots + 1];
        boots[0] = start - 86_400_000L * (3 + random.nextInt(60)) - random.nextLong(86_400_000L);
        long span = end - start;
        for (int i = 1; i <= reboots; i++) {
            // one reboot per equal slice of the history, somewhere in its middle half
            long slice = span / reboots;
            boots[i] = start + (i - 1) * slice + slice / 4 + random.nextLong(Math.max(1, slice / 2));
        }
        return new Target(boots, downFor);
    }

    /** The last boot at or before {@code t} (ms). */
    public long bootTime(long t) {
        long boot = boots[0];
        for (long b : boots) {
            if (b <= t) {
                boot = b;
            }
        }
        return boot;
    }

    /** False while the target is rebooting. */
    public boolean up(long t) {
        for (int i = 1; i < boots.length; i++) {
            if (t >= boots[i] && t < boots[i] + downFor) {
                return false;
            }
        }
        return true;
    }
}
