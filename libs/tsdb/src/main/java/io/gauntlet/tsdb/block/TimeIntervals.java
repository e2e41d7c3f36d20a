package io.gauntlet.tsdb.block;

import java.util.Arrays;

/**
 * An immutable set of closed time intervals {@code [min, max]} in ms, kept sorted and merged (intervals that
 * overlap or touch — {@code max + 1 == next min} — become one), as Prometheus keeps deletion ranges. Sample
 * iterators skip deleted samples through a {@link Cursor}, which answers in amortised O(1) for ascending times.
 */
public final class TimeIntervals {
    public static final TimeIntervals EMPTY = new TimeIntervals(new long[0], new long[0]);

    private final long[] mins;
    private final long[] maxs;

    private TimeIntervals(long[] mins, long[] maxs) {
        this.mins = mins;
        this.maxs = maxs;
    }

    public static TimeIntervals of(long min, long max) {
        return EMPTY.add(min, max);
    }

    /** This set plus {@code [min, max]}. */
    public TimeIntervals add(long min, long max) {
        if (max < min) {
            throw new IllegalArgumentException("interval [" + min + ", " + max + "] ends before it starts");
        }
        int n = mins.length;
        // merge with every interval that overlaps or touches [min, max]; the != tests stay correct at the long limits
        int first = 0;
        while (first < n && maxs[first] < min && maxs[first] != min - 1) {
            first++;
        }
        int last = first - 1;
        while (last + 1 < n && !(mins[last + 1] > max && mins[last + 1] != max + 1)) {
            last++;
        }
        long newMin = min;
        long newMax = max;
        if (last >= first) {
            newMin = Math.min(min, mins[first]);
            newMax = Math.max(max, maxs[last]);
        }
        int removed = last - first + 1;
        long[] newMins = new long[n - removed + 1];
        long[] newMaxs = new long[n - removed + 1];
        System.arraycopy(mins, 0, newMins, 0, first);
        System.arraycopy(maxs, 0, newMaxs, 0, first);
        newMins[first] = newMin;
        newMaxs[first] = newMax;
        System.arraycopy(mins, first + removed, newMins, first + 1, n - first - removed);
        System.arraycopy(maxs, first + removed, newMaxs, first + 1, n - first - removed);
        return new TimeIntervals(newMins, newMaxs);
    }

    public TimeIntervals addAll(TimeIntervals other) {
        TimeIntervals result = this;
        for (int i = 0; i < other.size(); i++) {
            result = result.add(other.mins[i], other.maxs[i]);
        }
        return result;
    }

    public int size() {
        return mins.length;
    }

    public boolean isEmpty() {
        return mins.length == 0;
    }

    public long min(int index) {
        return mins[index];
    }

    public long max(int index) {
        return maxs[index];
    }

    public boolean contains(long time) {
        int low = 0;
        int high = mins.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (maxs[mid] < time) {
                low = mid + 1;
            } else if (mins[mid] > time) {
                high = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Whether some interval overlaps {@code [min, max]}. */
    public boolean overlaps(long min, long max) {
        for (int i = 0; i < mins.length; i++) {
            if (mins[i] <= max && min <= maxs[i]) {
                return true;
            }
        }
        return false;
    }

    /** Whether one interval covers all of {@code [min, max]} (a chunk wholly deleted). */
    public boolean covers(long min, long max) {
        for (int i = 0; i < mins.length; i++) {
            if (mins[i] <= min && max <= maxs[i]) {
                return true;
            }
        }
        return false;
    }

    public Cursor cursor() {
        return new Cursor();
    }

    /** Answers {@link #deleted(long)} for non-decreasing times without searching. */
    public final class Cursor {
        private int index;

        public boolean deleted(long time) {
            while (index < maxs.length && maxs[index] < time) {
                index++;
            }
            return index < mins.length && mins[index] <= time;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TimeIntervals that && Arrays.equals(mins, that.mins) && Arrays.equals(maxs, that.maxs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mins) + Arrays.hashCode(maxs);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < mins.length; i++) {
            out.append(i > 0 ? ", " : "").append('[').append(mins[i]).append(", ").append(maxs[i]).append(']');
        }
        return out.append(']').toString();
    }
}
