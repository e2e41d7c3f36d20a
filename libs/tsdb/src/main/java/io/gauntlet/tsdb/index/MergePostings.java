package io.gauntlet.tsdb.index;

/** References present in any of several postings lists, each once, through a binary min-heap of lists. */
final class MergePostings implements Postings {
    private final Postings[] heap; // heap[0..size) ordered by at()
    private int size;
    private boolean started;
    private long current = -1;

    MergePostings(Postings[] lists) {
        this.heap = lists;
    }

    private void start() {
        started = true;
        for (Postings p : heap) {
            if (p.next()) {
                heap[size++] = p;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    @Override
    public boolean next() {
        if (!started) {
            start();
        } else {
            advancePast(current);
        }
        if (size == 0) {
            return false;
        }
        current = heap[0].at();
        return true;
    }

    @Override
    public boolean seek(long target) {
        if (!started) {
            start();
        } else if (size > 0 && current >= target) {
            return true;
        }
        while (size > 0 && heap[0].at() < target) {
            if (heap[0].seek(target)) {
                siftDown(0);
            } else {
                removeTop();
            }
        }
        if (size == 0) {
            return false;
        }
        current = heap[0].at();
        return true;
    }

    // moves every list whose head equals the current reference to its next one
    private void advancePast(long value) {
        while (size > 0 && heap[0].at() <= value) {
            if (heap[0].next()) {
                siftDown(0);
            } else {
                removeTop();
            }
        }
    }

    private void removeTop() {
        heap[0] = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0);
        }
    }

    private void siftDown(int i) {
        Postings item = heap[i];
        long key = item.at();
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].at() < heap[child].at()) {
                child++;
            }
            if (heap[child].at() >= key) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }

    @Override
    public long at() {
        return current;
    }
}
