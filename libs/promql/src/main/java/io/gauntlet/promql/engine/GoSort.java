package io.gauntlet.promql.engine;

/**
 * Go 1.19's {@code sort.Sort} (pattern-defeating quicksort): not stable, but deterministic, so equal elements end in
 * the very order Prometheus 2.42 leaves them ({@code sort()}, {@code sort_desc()}, {@code topk} and {@code bottomk}
 * of tied values). Works on positions through {@link Sortable}, as Go's {@code sort.Interface} does.
 */
final class GoSort {
    private GoSort() {
    }

    /** Go's {@code sort.Interface} over positions [0, n). */
    interface Sortable {
        boolean less(int i, int j);

        void swap(int i, int j);
    }

    private static final int MAX_INSERTION = 12;
    private static final int INCREASING = 1;
    private static final int DECREASING = 2;
    private static final int UNKNOWN = 0;

    static void sort(Sortable data, int n) {
        if (n <= 1) {
            return;
        }
        pdqsort(data, 0, n, bitLength(n));
    }

    private static int bitLength(int n) {
        return 32 - Integer.numberOfLeadingZeros(n);
    }

    private static void insertionSort(Sortable data, int a, int b) {
        for (int i = a + 1; i < b; i++) {
            for (int j = i; j > a && data.less(j, j - 1); j--) {
                data.swap(j, j - 1);
            }
        }
    }

    private static void siftDown(Sortable data, int lo, int hi, int first) {
        int root = lo;
        while (true) {
            int child = 2 * root + 1;
            if (child >= hi) {
                return;
            }
            if (child + 1 < hi && data.less(first + child, first + child + 1)) {
                child++;
            }
            if (!data.less(first + root, first + child)) {
                return;
            }
            data.swap(first + root, first + child);
            root = child;
        }
    }

    private static void heapSort(Sortable data, int a, int b) {
        int hi = b - a;
        for (int i = (hi - 1) / 2; i >= 0; i--) {
            siftDown(data, i, hi, a);
        }
        for (int i = hi - 1; i >= 0; i--) {
            data.swap(a, a + i);
            siftDown(data, 0, i, a);
        }
    }

    private static void pdqsort(Sortable data, int a, int b, int limit) {
        boolean wasBalanced = true;
        boolean wasPartitioned = true;
        while (true) {
            int length = b - a;
            if (length <= MAX_INSERTION) {
                insertionSort(data, a, b);
                return;
            }
            if (limit == 0) {
                heapSort(data, a, b);
                return;
            }
            if (!wasBalanced) {
                breakPatterns(data, a, b);
                limit--;
            }
            long choice = choosePivot(data, a, b);
            int pivot = (int) (choice >> 32);
            int hint = (int) choice;
            if (hint == DECREASING) {
                reverseRange(data, a, b);
                pivot = (b - 1) - (pivot - a);
                hint = INCREASING;
            }
            if (wasBalanced && wasPartitioned && hint == INCREASING && partialInsertionSort(data, a, b)) {
                return;
            }
            if (a > 0 && !data.less(a - 1, pivot)) {
                a = partitionEqual(data, a, b, pivot);
                continue;
            }
            long partitioned = partition(data, a, b, pivot);
            int mid = (int) (partitioned >> 32);
            wasPartitioned = (int) partitioned == 1;
            int leftLen = mid - a;
            int rightLen = b - mid;
            int balanceThreshold = length / 8;
            if (leftLen < rightLen) {
                wasBalanced = leftLen >= balanceThreshold;
                pdqsort(data, a, mid, limit);
                a = mid + 1;
            } else {
                wasBalanced = rightLen >= balanceThreshold;
                pdqsort(data, mid + 1, b, limit);
                b = mid;
            }
        }
    }

    /** The new pivot position (high word) and whether the range was already partitioned (low word 1). */
    private static long partition(Sortable data, int a, int b, int pivot) {
        data.swap(a, pivot);
        int i = a + 1;
        int j = b - 1;
        while (i <= j && data.less(i, a)) {
            i++;
        }
        while (i <= j && !data.less(j, a)) {
            j--;
        }
        if (i > j) {
            data.swap(j, a);
            return (long) j << 32 | 1;
        }
        data.swap(i, j);
        i++;
        j--;
        while (true) {
            while (i <= j && data.less(i, a)) {
                i++;
            }
            while (i <= j && !data.less(j, a)) {
                j--;
            }
            if (i > j) {
                break;
            }
            data.swap(i, j);
            i++;
            j--;
        }
        data.swap(j, a);
        return (long) j << 32;
    }

    private static int partitionEqual(Sortable data, int a, int b, int pivot) {
        data.swap(a, pivot);
        int i = a + 1;
        int j = b - 1;
        while (true) {
            while (i <= j && !data.less(a, i)) {
                i++;
            }
            while (i <= j && data.less(a, j)) {
                j--;
            }
            if (i > j) {
                return i;
            }
            data.swap(i, j);
            i++;
            j--;
        }
    }

    private static boolean partialInsertionSort(Sortable data, int a, int b) {
        int maxSteps = 5;
        int shortestShifting = 50;
        int i = a + 1;
        for (int step = 0; step < maxSteps; step++) {
            while (i < b && !data.less(i, i - 1)) {
                i++;
            }
            if (i == b) {
                return true;
            }
            if (b - a < shortestShifting) {
                return false;
            }
            data.swap(i, i - 1);
            if (i - a >= 2) {
                for (int j = i - 1; j >= 1; j--) {
                    if (!data.less(j, j - 1)) {
                        break;
                    }
                    data.swap(j, j - 1);
                }
            }
            if (b - i >= 2) {
                for (int j = i + 1; j < b; j++) {
                    if (!data.less(j, j - 1)) {
                        break;
                    }
                    data.swap(j, j - 1);
                }
            }
        }
        return false;
    }

    private static void breakPatterns(Sortable data, int a, int b) {
        int length = b - a;
        if (length >= 8) {
            long random = length; // Go's xorshift seeded with the length
            long modulus = 1L << bitLength(length);
            for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
                random ^= random << 13;
                random ^= random >>> 17;
                random ^= random << 5;
                int other = (int) (random & (modulus - 1));
                if (other >= length) {
                    other -= length;
                }
                data.swap(idx, a + other);
            }
        }
    }

    /** The pivot (high word) and the sortedness hint (low word). */
    private static long choosePivot(Sortable data, int a, int b) {
        int shortestNinther = 50;
        int maxSwaps = 4 * 3;
        int l = b - a;
        int[] swaps = {0};
        int i = a + l / 4;
        int j = a + l / 4 * 2;
        int k = a + l / 4 * 3;
        if (l >= 8) {
            if (l >= shortestNinther) {
                i = median(data, i - 1, i, i + 1, swaps);
                j = median(data, j - 1, j, j + 1, swaps);
                k = median(data, k - 1, k, k + 1, swaps);
            }
            j = median(data, i, j, k, swaps);
        }
        int hint = swaps[0] == 0 ? INCREASING : swaps[0] == maxSwaps ? DECREASING : UNKNOWN;
        return (long) j << 32 | hint;
    }

    private static int median(Sortable data, int a, int b, int c, int[] swaps) {
        // order2(a, b); order2(b, c); order2(a, b) as Go does, returning the middle position
        if (data.less(b, a)) {
            swaps[0]++;
            int t = a;
            a = b;
            b = t;
        }
        if (data.less(c, b)) {
            swaps[0]++;
            int t = b;
            b = c;
            c = t;
        }
        if (data.less(b, a)) {
            swaps[0]++;
            int t = a;
            a = b;
            b = t;
        }
        return b;
    }

    private static void reverseRange(Sortable data, int a, int b) {
        int i = a;
        int j = b - 1;
        while (i < j) {
            data.swap(i, j);
            i++;
            j--;
        }
    }
}
