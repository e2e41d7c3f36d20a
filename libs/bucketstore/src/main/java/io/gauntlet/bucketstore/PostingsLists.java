package io.gauntlet.bucketstore;

import java.util.Arrays;
import java.util.List;

/** Set operations on sorted, duplicate-free series ID arrays (postings lists held as {@code int[]}). */
final class PostingsLists {
    static final int[] EMPTY = new int[0];

    private PostingsLists() {
    }

    static int[] intersect(int[] a, int[] b) {
        int[] out = new int[Math.min(a.length, b.length)];
        int n = 0;
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] == b[j]) {
                out[n++] = a[i];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    static int[] subtract(int[] a, int[] b) {
        int[] out = new int[a.length];
        int n = 0;
        int j = 0;
        for (int value : a) {
            while (j < b.length && b[j] < value) {
                j++;
            }
            if (j >= b.length || b[j] != value) {
                out[n++] = value;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    static int[] union(List<int[]> lists) {
        if (lists.isEmpty()) {
            return EMPTY;
        }
        if (lists.size() == 1) {
            return lists.getFirst();
        }
        int total = 0;
        for (int[] list : lists) {
            total += list.length;
        }
        int[] all = new int[total];
        int n = 0;
        for (int[] list : lists) {
            System.arraycopy(list, 0, all, n, list.length);
            n += list.length;
        }
        Arrays.sort(all);
        int unique = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                all[unique++] = all[i];
            }
        }
        return unique == all.length ? all : Arrays.copyOf(all, unique);
    }
}
