package io.gauntlet.query;

import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * One store's Series answer, reporting to the observer once it ended, failed or was closed early, and held to the
 * querier's max series per store response: the series past it fails that store (its call cancelled) with
 * {@code RESOURCE_EXHAUSTED}, which the merge handles as any store failure (a warning with partial response, the
 * query's error without).
 */
final class ObservedSeriesSet implements StoreSeriesSet {
    private final StoreSeriesSet set;
    private final FanOutObserver observer;
    private final long maxSeries;
    private final long started = System.nanoTime();
    private long count;
    private boolean reported;

    /** @param maxSeries series the store may send; 0: no limit */
    ObservedSeriesSet(StoreSeriesSet set, FanOutObserver observer, long maxSeries) {
        this.set = set;
        this.observer = observer;
        this.maxSeries = maxSeries;
    }

    @Override
    public boolean next() throws StorageException {
        try {
            boolean more = set.next();
            if (!more) {
                report(false);
            } else if (maxSeries > 0 && ++count > maxSeries) {
                set.close();
                throw new StoreException(set.source(), "RESOURCE_EXHAUSTED", "exceeded the limit of " + maxSeries
                        + " series per store response", null);
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
