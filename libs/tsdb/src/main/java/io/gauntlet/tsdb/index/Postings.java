package io.gauntlet.tsdb.index;

import java.util.Arrays;
import java.util.List;

/**
 * An ascending list of series references (for index v2 the series ID, the entry's offset / 16), read one at
 * a time: {@link #next()} then {@link #at()}; {@link #seek(long)} skips forward. Postings never move backwards.
 */
public interface Postings {
    /** Advances to the next reference; false when the list is exhausted. */
    boolean next();

    /**
     * Advances to the first reference {@code >= target} (staying put when the current one already is);
     * false when there is none.
     */
    boolean seek(long target);

    /** The current reference; only valid after {@code next()} or {@code seek()} returned true. */
    long at();

    static Postings empty() {
        return ArrayPostings.EMPTY;
    }

    /** Postings over ascending references (the array is not copied). */
    static Postings of(long... ascendingRefs) {
        return ascendingRefs.length == 0 ? empty() : new ArrayPostings(ascendingRefs, 0, ascendingRefs.length);
    }

    /** References present in every list; empty for no lists. */
    static Postings intersect(List<Postings> lists) {
        if (lists.isEmpty()) {
            return empty();
        }
        if (lists.size() == 1) {
            return lists.getFirst();
        }
        for (Postings p : lists) {
            if (p == ArrayPostings.EMPTY) {
                return empty();
            }
        }
        return new IntersectPostings(lists.toArray(Postings[]::new));
    }

    /** References present in any list, each once. */
    static Postings merge(List<Postings> lists) {
        List<Postings> nonEmpty = lists.stream().filter(p -> p != ArrayPostings.EMPTY).toList();
        if (nonEmpty.isEmpty()) {
            return empty();
        }
        if (nonEmpty.size() == 1) {
            return nonEmpty.getFirst();
        }
        return new MergePostings(nonEmpty.toArray(Postings[]::new));
    }

    /** References of {@code full} that are not in {@code drop}. */
    static Postings without(Postings full, Postings drop) {
        if (full == ArrayPostings.EMPTY || drop == ArrayPostings.EMPTY) {
            return full;
        }
        return new WithoutPostings(full, drop);
    }

    /** Reads the remaining references into an array. */
    static long[] toArray(Postings postings) {
        long[] out = new long[16];
        int size = 0;
        while (postings.next()) {
            if (size == out.length) {
                out = Arrays.copyOf(out, size * 2);
            }
            out[size++] = postings.at();
        }
        return Arrays.copyOf(out, size);
    }
}
