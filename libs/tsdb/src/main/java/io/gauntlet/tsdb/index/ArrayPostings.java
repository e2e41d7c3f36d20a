package io.gauntlet.tsdb.index;

/** Postings over a slice of an ascending long array. */
final class ArrayPostings implements Postings {
    static final ArrayPostings EMPTY = new ArrayPostings(new long[0], 0, 0);

    private final long[] refs;
    private final int start;
    private final int count;
    private int index; // index of the current reference + 1; count + 1 once exhausted

    ArrayPostings(long[] refs, int start, int end) {
        this.refs = refs;
        this.start = start;
        this.count = end - start;
    }

    @Override
    public boolean next() {
        if (index < count) {
            index++;
            return true;
        }
        index = count + 1;
        return false;
    }

    @Override
    public boolean seek(long target) {
        if (index > count) {
            return false;
        }
        if (index > 0 && refs[start + index - 1] >= target) {
            return true;
        }
        // exponential then binary search from the current position: cheap for near and far targets alike
        int low = index;
        int bound = 1;
        while (low + bound < count && refs[start + low + bound] < target) {
            low += bound;
            bound <<= 1;
        }
        int high = Math.min(low + bound, count);
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (refs[start + mid] < target) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        index = low >= count ? count + 1 : low + 1;
        return low < count;
    }

    @Override
    public long at() {
        return refs[start + index - 1];
    }
}
