package io.gauntlet.store;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/**
 * Series for the PromQL engine from merged store answers whose replica labels the stores already dropped
 * ({@code without_replica_labels}): the chunks of one series that overlap came from different replicas, so
 * they are split back into replicas ({@link ChunkMerge#splitOverlapping}) and merged with the
 * {@link PenaltyDeduplicator} (Thanos' querier with {@code --query.replica-label}).
 */
public final class DeduplicatedSeriesSet implements SeriesSet {
    private final StoreSeriesSet stores;
    private final boolean counter;
    private final AggregateType aggregate;
    private DeduplicatedSeries current;

    /**
     * @param counter   use the counter adjustment (the enclosing function is rate, irate, increase or resets)
     * @param aggregate which aggregate to read from downsampled chunks; null for raw data only
     */
    public DeduplicatedSeriesSet(StoreSeriesSet stores, boolean counter, AggregateType aggregate) {
        this.stores = stores;
        this.counter = counter;
        this.aggregate = aggregate;
    }

    @Override
    public boolean next() throws StorageException {
        if (!stores.next()) {
            current = null;
            return false;
        }
        current = new DeduplicatedSeries(stores.labels(), List.copyOf(stores.chunks()));
        return true;
    }

    @Override
    public Series at() {
        if (current == null) {
            throw new IllegalStateException("no current series: call next() first");
        }
        return current;
    }

    @Override
    public List<String> warnings() {
        return stores.warnings();
    }

    private final class DeduplicatedSeries implements Series {
        private final Labels labels;
        private final List<EncodedChunk> chunks;

        DeduplicatedSeries(Labels labels, List<EncodedChunk> chunks) {
            this.labels = labels;
            this.chunks = chunks;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            List<List<EncodedChunk>> replicas = ChunkMerge.splitOverlapping(chunks);
            List<SampleIterator> iterators = new ArrayList<>(replicas.size());
            for (List<EncodedChunk> replica : replicas) {
                iterators.add(new ChunksSampleIterator(replica, aggregate));
            }
            return PenaltyDeduplicator.of(iterators, counter);
        }
    }
}
