package io.gauntlet.tsdb.index;

/** References of one list that another list does not contain. */
final class WithoutPostings implements Postings {
    private final Postings full;
    private final Postings drop;
    private boolean dropExhausted;

    WithoutPostings(Postings full, Postings drop) {
        this.full = full;
        this.drop = drop;
    }

    @Override
    public boolean next() {
        return full.next() && skipDropped();
    }

    @Override
    public boolean seek(long target) {
        return full.seek(target) && skipDropped();
    }

    // advances the full list past references the drop list holds
    private boolean skipDropped() {
        while (true) {
            long candidate = full.at();
            if (!dropExhausted) {
                if (!drop.seek(candidate)) {
                    dropExhausted = true;
                } else if (drop.at() == candidate) {
                    if (!full.next()) {
                        return false;
                    }
                    continue;
                }
            }
            return true;
        }
    }

    @Override
    public long at() {
        return full.at();
    }
}
