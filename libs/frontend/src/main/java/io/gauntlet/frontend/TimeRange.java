package io.gauntlet.frontend;

import java.util.ArrayList;
import java.util.List;

/** An inclusive range of evaluation times {@code start, start+step, …, end} in milliseconds. */
public record TimeRange(long start, long end) {
    public TimeRange {
        if (end < start) {
            throw new IllegalArgumentException("range end " + end + " before start " + start);
        }
    }

    /**
     * Splits {@code [start, end]} at every {@code interval} boundary (UTC, from the epoch): each part ends on the last
     * step before a boundary and the next starts one step later, so every evaluation time is in exactly one part.
     */
    public static List<TimeRange> split(long start, long end, long step, long interval) {
        List<TimeRange> parts = new ArrayList<>();
        if (start == end) {
            parts.add(new TimeRange(start, end));
            return parts;
        }
        for (long from = start; from <= end; ) {
            long to = lastStepBeforeNextBoundary(from, step, interval);
            if (to + step > end) {
                to = end;
            }
            parts.add(new TimeRange(from, to));
            from = to + step;
        }
        return parts;
    }

    /** The last time {@code t + k*step} that is still before the interval boundary after {@code t}. */
    static long lastStepBeforeNextBoundary(long t, long step, long interval) {
        long nextBoundary = (Math.floorDiv(t, interval) + 1) * interval;
        long target = nextBoundary - Math.floorMod(nextBoundary - t, step);
        if (target == nextBoundary) {
            target -= step;
        }
        return target;
    }

    /** The latest evaluation time of this range's grid ({@code start + k*step}) not after {@code limit}. */
    public static long lastGridTimeNotAfter(long start, long step, long limit) {
        return start + Math.floorDiv(limit - start, step) * step;
    }

    public boolean overlaps(long from, long to) {
        return start <= to && end >= from;
    }
}
