package io.gauntlet.query.testing;

import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A sidecar whose Prometheus is down: every call fails with "prometheus behind this sidecar is down" (gRPC UNAVAILABLE);
 * with a latch, a Series call first hangs until the latch is released.
 */
public final class UnavailableSource implements ChunkSource {
    public static final String MESSAGE = "prometheus behind this sidecar is down";

    private final Labels externalLabels;
    private final long minTime;
    private final long maxTime;
    private final CountDownLatch hang;

    /** @param hang null: fail at once */
    public UnavailableSource(Labels externalLabels, long minTime, long maxTime, CountDownLatch hang) {
        this.externalLabels = externalLabels;
        this.minTime = minTime;
        this.maxTime = maxTime;
        this.hang = hang;
    }

    @Override
    public SourceInfo info() {
        return SourceInfo.of("sidecar", externalLabels, minTime, maxTime);
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        if (hang != null) {
            try {
                hang.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new StoreUnavailableException(MESSAGE);
    }

    @Override
    public List<String> labelNames(LabelQuery query) throws StorageException {
        throw new StoreUnavailableException(MESSAGE);
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        throw new StoreUnavailableException(MESSAGE);
    }
}
