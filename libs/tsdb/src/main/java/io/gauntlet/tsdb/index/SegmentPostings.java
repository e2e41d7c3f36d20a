package io.gauntlet.tsdb.index;

import java.lang.foreign.MemorySegment;

/** Postings over a checked list of big-endian uint32 references in a mapped index file. */
final class SegmentPostings implements Postings {
    private final MemorySegment segment;
    private final long base; // offset of the first reference
    private final int count;
    private int index; // index of the current reference + 1
    private long current;

    SegmentPostings(MemorySegment segment, long base, int count) {
        this.segment = segment;
        this.base = base;
        this.count = count;
    }

    private long ref(int i) {
        return Integer.toUnsignedLong(segment.get(SegmentCursor.BE_INT, base + 4L * i));
    }

    @Override
    public boolean next() {
        if (index < count) {
            current = ref(index++);
            return true;
        }
        index = count + 1; // stays exhausted
        return false;
    }

    @Override
    public boolean seek(long target) {
        if (index > 0 && index <= count && current >= target) {
            return true;
        }
        if (index > count) {
            return false;
        }
        int low = index;
        int bound = 1;
        while (low + bound < count && ref(low + bound) < target) {
            low += bound;
            bound <<= 1;
        }
        int high = Math.min(low + bound, count);
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ref(mid) < target) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        if (low >= count) {
            index = count + 1;
            return false;
        }
        current = ref(low);
        index = low + 1;
        return true;
    }

    @Override
    public long at() {
        return current;
    }
}
