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
 * {@link PenaltyDeduplicator} (Thanos' querier with {@code --query.replica-label}). A series whose chunks neither
 * overlap nor repeat — what one store sends, the common case — is read straight through. Rate-like functions over
 * downsampled data read each replica's counters with their resets folded in ({@link CounterResetsSampleIterator}), as
 * Thanos' querier does for the {@code counter} aggregate.
 */
public final class DeduplicatedSeriesSet implements SeriesSet {
    private final StoreSeriesSet stores;
    private final boolean counter;
    private final AggregateType aggregate;
    private final boolean average;
    private DeduplicatedSeries current;

    /**
     * @param counter   use the counter adjustment (the enclosing function is rate, irate, increase or resets)
     * @param aggregate which aggregate to read from downsampled chunks; null for raw data only
     * @param average   read downsampled chunks as sum / count per window (functions without a matching aggregate)
     */
    public DeduplicatedSeriesSet(StoreSeriesSet stores, boolean counter, AggregateType aggregate, boolean average) {
        this.stores = stores;
        this.counter = counter;
        this.aggregate = aggregate;
        this.average = average;
    }

    @Override
    public boolean next() throws StorageException {
        if (!stores.next()) {
            current = null;
            return false;
        }
        current = new DeduplicatedSeries(stores.labels(), stores.chunks());
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
        private final boolean ordered;

        DeduplicatedSeries(Labels labels, List<EncodedChunk> chunks) {
            this.labels = labels;
            this.ordered = ordered(chunks);
            if (ordered) {
                this.chunks = List.copyOf(chunks);
            } else {
                List<EncodedChunk> sorted = new ArrayList<>(chunks);
                sorted.sort(ChunkMerge.BY_TIME);
                this.chunks = sorted;
            }
        }

        /** Sorted and without overlaps. */
        private static boolean ordered(List<EncodedChunk> chunks) {
            for (int i = 1; i < chunks.size(); i++) {
                if (chunks.get(i - 1).maxTime() >= chunks.get(i).minTime()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            if (!average && ordered) {
                // nothing overlaps, so there is nothing to deduplicate or split into replicas
                if (aggregate == AggregateType.COUNTER) {
                    if (reuse instanceof CounterResetsSampleIterator counters
                            && counters.samples() instanceof ChunksSampleIterator iterator) {
                        iterator.reset(chunks, aggregate);
                        return counters.reset(iterator);
                    }
                    return new CounterResetsSampleIterator(new ChunksSampleIterator(chunks, aggregate));
                }
                if (reuse instanceof ChunksSampleIterator iterator) {
                    iterator.reset(chunks, aggregate);
                    return iterator;
                }
                return new ChunksSampleIterator(chunks, aggregate);
            }
            List<List<EncodedChunk>> replicas = ChunkMerge.splitOverlapping(ChunkMerge.withoutDuplicates(chunks));
            List<SampleIterator> iterators = new ArrayList<>(replicas.size());
            for (List<EncodedChunk> replica : replicas) {
                iterators.add(average ? new AverageSampleIterator(replica) : aggregate == AggregateType.COUNTER
                        ? new CounterResetsSampleIterator(new ChunksSampleIterator(replica, aggregate))
                        : new ChunksSampleIterator(replica, aggregate));
            }
            if (iterators.isEmpty()) {
                return SampleIterator.EMPTY;
            }
            return PenaltyDeduplicator.of(iterators, counter);
        }
    }
}
