package io.gauntlet.query;

import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/** One store's Series answer, reporting to the observer once it ended, failed or was closed early. */
final class ObservedSeriesSet implements StoreSeriesSet {
    private final StoreSeriesSet set;
    private final FanOutObserver observer;
    private final long started = System.nanoTime();
    private boolean reported;

    ObservedSeriesSet(StoreSeriesSet set, FanOutObserver observer) {
        this.set = set;
        this.observer = observer;
    }

    @Override
    public boolean next() throws StorageException {
        try {
            boolean more = set.next();
            if (!more) {
                report(false);
            }
            return more;
        } catch (StorageException | RuntimeException e) {
            report(true);
            throw e;
        }
    }

    private void report(boolean failed) {
        if (!reported) {
            reported = true;
            observer.completed(set.source(), "series", System.nanoTime() - started, failed);
        }
    }

    @Override
    public Labels labels() {
        return set.labels();
    }

    @Override
    public List<EncodedChunk> chunks() {
        return set.chunks();
    }

    @Override
    public List<String> warnings() {
        return set.warnings();
    }

    @Override
    public String source() {
        return set.source();
    }

    @Override
    public void close() {
        set.close();
    }
}
