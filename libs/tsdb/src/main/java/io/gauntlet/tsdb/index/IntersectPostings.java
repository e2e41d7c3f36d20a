package io.gauntlet.tsdb.index;

/** References present in every one of several postings lists. */
final class IntersectPostings implements Postings {
    private final Postings[] lists;
    private long current = -1;
    private boolean exhausted;

    IntersectPostings(Postings[] lists) {
        this.lists = lists;
    }

    @Override
    public boolean next() {
        if (exhausted) {
            return false;
        }
        if (!lists[0].next()) {
            exhausted = true;
            return false;
        }
        return align(lists[0].at());
    }

    @Override
    public boolean seek(long target) {
        if (exhausted) {
            return false;
        }
        if (current >= 0 && current >= target) {
            return true;
        }
        return align(target);
    }

    // seeks every list to the candidate until all agree on one reference
    private boolean align(long candidate) {
        int agreeing = 0;
        int i = 0;
        while (agreeing < lists.length) {
            if (!lists[i].seek(candidate)) {
                exhausted = true;
                return false;
            }
            long at = lists[i].at();
            if (at == candidate) {
                agreeing++;
            } else {
                candidate = at;
                agreeing = 1;
            }
            i = (i + 1) % lists.length;
        }
        current = candidate;
        return true;
    }

    @Override
    public long at() {
        return current;
    }
}
