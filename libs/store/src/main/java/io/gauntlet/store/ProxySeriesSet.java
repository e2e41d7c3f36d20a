package io.gauntlet.store;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A k-way merge of sorted series streams from several stores into one sorted stream: series with equal labels
 * from several stores become one series whose chunks are ordered by time with byte-identical duplicates removed.
 * With {@link PartialResponse#WARN} a failing store becomes a warning and the merge goes on with the others (what
 * it already sent stays); with {@link PartialResponse#ABORT} the failure is thrown and every stream is cancelled, and
 * so is a store's warning (Thanos' rule: a store that answered only partly fails a query that wants all or nothing).
 */
public final class ProxySeriesSet implements StoreSeriesSet {
    private final List<StoreSeriesSet> inputs;
    private final PartialResponse strategy;
    private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> a.labels.compareTo(b.labels));
    private final List<String> warnings = new ArrayList<>();
    private boolean started;
    private boolean closed;
    private Labels labels;
    private List<EncodedChunk> chunks = List.of();

    public ProxySeriesSet(List<? extends StoreSeriesSet> inputs, PartialResponse strategy) {
        this.inputs = List.copyOf(inputs);
        this.strategy = strategy;
    }

    /** The current series of one input. */
    private static final class Head {
        final StoreSeriesSet set;
        Labels labels;
        List<EncodedChunk> chunks;

        Head(StoreSeriesSet set) {
            this.set = set;
        }
    }

    @Override
    public boolean next() throws StorageException {
        if (closed) {
            return false;
        }
        if (!started) {
            started = true;
            for (StoreSeriesSet input : inputs) {
                advance(new Head(input));
            }
        }
        Head first = heads.poll();
        if (first == null) {
            return false;
        }
        labels = first.labels;
        // copied: an input's chunk list is only valid until its next()
        List<EncodedChunk> merged = List.copyOf(first.chunks);
        boolean several = false;
        List<Head> consumed = new ArrayList<>();
        consumed.add(first);
        while (!heads.isEmpty() && heads.peek().labels.equals(labels)) {
            Head same = heads.poll();
            if (!several) {
                merged = new ArrayList<>(merged);
                several = true;
            }
            merged.addAll(same.chunks);
            consumed.add(same);
        }
        if (several) {
            merged.sort(ChunkMerge.BY_TIME);
            merged = ChunkMerge.withoutDuplicates(merged);
        }
        chunks = merged;
        for (Head head : consumed) {
            advance(head);
        }
        return true;
    }

    /** Moves one input to its next series and queues it, or retires it at its end or on failure. */
    private void advance(Head head) throws StorageException {
        Labels previous = head.labels;
        try {
            if (!head.set.next()) {
                List<String> ended = head.set.warnings();
                if (strategy == PartialResponse.ABORT && !ended.isEmpty()) {
                    close();
                    throw new StoreException(head.set.source(), "ABORTED", "answered partially and partial response is disabled: "
                            + ended.getFirst(), null);
                }
                warnings.addAll(ended);
                return;
            }
            head.labels = head.set.labels();
            head.chunks = head.set.chunks();
            if (previous != null && head.labels.compareTo(previous) <= 0) {
                throw new StorageException("store " + head.set.source() + ": series " + head.labels + " came after " + previous
                        + ": the answer is not sorted");
            }
            heads.add(head);
        } catch (StorageException e) {
            head.set.close();
            if (strategy == PartialResponse.ABORT) {
                close();
                throw e;
            }
            warnings.addAll(head.set.warnings());
            warnings.add(e.getMessage());
        }
    }

    /** The union of the inputs' name lists; unknown when one input cannot tell. */
    @Override
    public Set<List<String>> labelNameLists() throws StorageException {
        Set<List<String>> union = new HashSet<>();
        for (StoreSeriesSet input : inputs) {
            Set<List<String>> lists = input.labelNameLists();
            if (lists == null) {
                return null;
            }
            union.addAll(lists);
        }
        return union;
    }

    @Override
    public Labels labels() {
        return labels;
    }

    @Override
    public List<EncodedChunk> chunks() {
        return chunks;
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (StoreSeriesSet input : inputs) {
            input.close();
        }
    }
}
