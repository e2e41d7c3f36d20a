package io.gauntlet.bucketstore;

import java.util.ArrayList;
import java.util.List;

/** Merges nearby byte ranges of one object so a few GETs fetch many small pieces (Thanos' partitioner). */
final class ByteRanges {
    /** Thanos merges ranges whose gap is at most 16 KiB. */
    static final long MAX_GAP = 16 * 1024;
    /** A merged range stays below this size, so one GET never holds too much in memory. */
    static final long MAX_RANGE = 32L * 1024 * 1024;

    /** {@code [start, end)} and the indexes of the input ranges it covers. */
    record Merged(long start, long end, int first, int last) {
    }

    private ByteRanges() {
    }

    /** {@code starts} and {@code ends} sorted by start; returns merged ranges, each covering a run of inputs. */
    static List<Merged> coalesce(long[] starts, long[] ends, int count) {
        List<Merged> out = new ArrayList<>();
        int first = 0;
        long start = -1;
        long end = -1;
        for (int i = 0; i < count; i++) {
            if (start < 0) {
                first = i;
                start = starts[i];
                end = ends[i];
            } else if (starts[i] - end <= MAX_GAP && Math.max(end, ends[i]) - start <= MAX_RANGE) {
                end = Math.max(end, ends[i]);
            } else {
                out.add(new Merged(start, end, first, i - 1));
                first = i;
                start = starts[i];
                end = ends[i];
            }
        }
        if (start >= 0) {
            out.add(new Merged(start, end, first, count - 1));
        }
        return out;
    }
}
