package io.gauntlet.store;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A source's series with the external labels applied (they win over series labels) and the replica labels
 * removed, in sorted order of the resulting labels, series that became equal merged into one.
 *
 * <p>Rewriting labels can reorder series (Thanos issue 6563: {@code foo{job}} sorts before {@code foo{job,pod}},
 * but with {@code region} added {@code foo{job,pod,region}} sorts first), so output waits in a sorted window until
 * no later source series can sort before it. Two rules release it:
 * <ul>
 * <li>When external labels are added and series carry no rewritten label name (the usual sidecar case: external
 * labels only come from the adapter), a series can only be overtaken by a later series that extends it, so it
 * leaves the window as soon as the source moved past its extensions: the window holds a handful of series.</li>
 * <li>Otherwise, labels whose names sort before every rewritten name are left alone and never decrease along the
 * source, so the window holds one group of series sharing those labels. This is the store gateway case, where series
 * carry replica labels from their blocks. When labels are only dropped, a later series that lacks one of those
 * labels may shrink to a prefix of them; the group is then cut at the shortest prefix that some series of the source
 * can shrink to, which a block knows from the series its index selected ({@link ChunkSeriesSet#labelNameLists()}):
 * usually none, so the window holds the replicas of one series. A source that cannot tell makes the group one
 * metric name (every series a month of chunks for a long dashboard panel).</li>
 * </ul>
 * A source should be uniform: either no series carries a rewritten label name or every series does. A clean
 * stream that turns unclean late can, rarely, need a series already sent; output is checked to be strictly
 * increasing, so that case fails with a clear error instead of an unsorted answer.
 */
final class RelabeledSeriesStream {
    private final ChunkSeriesSet source;
    private final Labels externalLabels; // without the dropped labels
    private final Set<String> removed; // dropped names and external names (externals are re-added)
    private final String firstTouched; // null: nothing rewritten, pure streaming
    private final long minTime;
    private final long maxTime;
    private final boolean skipChunks;
    private final StoreLimits limits;
    private final BooleanSupplier cancelled;
    private final TreeMap<Labels, Pending> window = new TreeMap<>();
    private Set<List<String>> keptNameLists; // each source series' label names without the removed ones; null: unknown
    private boolean nameListsAsked;
    private int maxPending; // the most series the window held at once
    private Labels bound; // every later output is >= bound
    private Labels current; // the source series pulled last
    private boolean everUnclean; // a series with a rewritten label name was seen: only the group rule is safe
    private Labels lastEmitted;
    private boolean sourceDone;
    private long seriesRead;
    private long samplesRead;

    RelabeledSeriesStream(ChunkSeriesSet source, Labels externalLabels, Set<String> dropLabels, long minTime, long maxTime,
            boolean skipChunks, StoreLimits limits, BooleanSupplier cancelled) {
        this.source = source;
        this.externalLabels = externalLabels.without(dropLabels);
        TreeSet<String> touched = new TreeSet<>(dropLabels);
        touched.addAll(externalLabels.names());
        this.removed = touched;
        this.firstTouched = touched.isEmpty() ? null : touched.first();
        this.minTime = minTime;
        this.maxTime = maxTime;
        this.skipChunks = skipChunks;
        this.limits = limits;
        this.cancelled = cancelled;
    }

    /** An output series waiting in the window: its chunks and the source labels it came from. */
    private static final class Pending {
        List<EncodedChunk> chunks;
        Labels original;

        Pending(List<EncodedChunk> chunks, Labels original) {
            this.chunks = chunks;
            this.original = original;
        }
    }

    /** The next output series, or null at the end. */
    Map.Entry<Labels, List<EncodedChunk>> next() throws StorageException {
        while (true) {
            if (!window.isEmpty() && releasable(window.firstEntry())) {
                Map.Entry<Labels, Pending> out = window.pollFirstEntry();
                if (lastEmitted != null && out.getKey().compareTo(lastEmitted) <= 0) {
                    throw new StorageException("series " + out.getKey() + " sorts before the already sent " + lastEmitted
                            + " after applying external labels and dropping replica labels; the answer cannot be streamed in order");
                }
                lastEmitted = out.getKey();
                return Map.entry(out.getKey(), out.getValue().chunks);
            }
            if (sourceDone) {
                return null;
            }
            if (cancelled.getAsBoolean()) {
                // the client went away while the window filled: stop reading the source
                sourceDone = true;
                window.clear();
                return null;
            }
            if (!nameListsAsked) {
                nameListsAsked = true;
                keptNameLists = keptNameLists();
            }
            if (!source.next()) {
                sourceDone = true;
                continue;
            }
            Labels original = source.labels();
            List<EncodedChunk> chunks = keptChunks(source.chunks());
            countAgainstLimits(chunks);
            current = original;
            everUnclean |= !isClean(original);
            bound = lowerBound(original);
            if (!skipChunks && chunks.isEmpty()) {
                continue; // no data in range: Thanos stores send no empty series
            }
            Labels output = rewrite(original);
            Pending pending = window.get(output);
            if (pending == null) {
                window.put(output, new Pending(chunks, original));
                maxPending = Math.max(maxPending, window.size());
            } else {
                List<EncodedChunk> both = new ArrayList<>(pending.chunks.size() + chunks.size());
                both.addAll(pending.chunks);
                both.addAll(chunks);
                both.sort(ChunkMerge.BY_TIME);
                pending.chunks = ChunkMerge.withoutDuplicates(both);
                pending.original = original;
            }
        }
    }

    private boolean releasable(Map.Entry<Labels, Pending> head) {
        if (sourceDone || head.getKey().compareTo(bound) < 0) {
            return true;
        }
        // with no external label to add, a later series may shrink to a prefix by losing its replica labels
        return !externalLabels.isEmpty() && !everUnclean && !isPrefix(head.getValue().original, current);
    }

    private boolean isClean(Labels labels) {
        if (firstTouched == null) {
            return true;
        }
        for (int i = 0; i < labels.size(); i++) {
            if (removed.contains(labels.name(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrefix(Labels prefix, Labels labels) {
        if (prefix.size() > labels.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (!prefix.name(i).equals(labels.name(i)) || !prefix.value(i).equals(labels.value(i))) {
                return false;
            }
        }
        return true;
    }

    private List<EncodedChunk> keptChunks(List<EncodedChunk> chunks) {
        if (skipChunks) {
            return List.of();
        }
        List<EncodedChunk> kept = new ArrayList<>(chunks.size());
        for (EncodedChunk chunk : chunks) {
            if (chunk.maxTime() >= minTime && chunk.minTime() <= maxTime) {
                kept.add(chunk);
            }
        }
        return kept;
    }

    private void countAgainstLimits(List<EncodedChunk> chunks) throws StorageException {
        seriesRead++;
        if (limits.maxSeries() > 0 && seriesRead > limits.maxSeries()) {
            throw new StoreLimitExceededException("exceeded series limit: limit " + limits.maxSeries() + " violated (got "
                    + seriesRead + "); raise store.limits.request-series or narrow the query");
        }
        if (limits.maxSamples() > 0) {
            for (EncodedChunk chunk : chunks) {
                samplesRead += StoreWire.sampleCount(chunk);
            }
            if (samplesRead > limits.maxSamples()) {
                throw new StoreLimitExceededException("exceeded samples limit: limit " + limits.maxSamples() + " violated (got "
                        + samplesRead + "); raise store.limits.request-samples or narrow the query");
            }
        }
    }

    private Labels rewrite(Labels original) {
        if (firstTouched == null) {
            return original;
        }
        Labels.Builder builder = original.toBuilder();
        removed.forEach(builder::delete);
        externalLabels.forEach(builder::set);
        return builder.build();
    }

    /** The smallest labels any later output can have, given the source's order. */
    private Labels lowerBound(Labels original) {
        if (firstTouched == null) {
            return original;
        }
        int untouched = 0;
        while (untouched < original.size() && original.name(untouched).compareTo(firstTouched) < 0) {
            untouched++;
        }
        if (externalLabels.isEmpty()) {
            untouched = shortestShrink(original, untouched);
        }
        Labels.Builder prefix = Labels.builder();
        for (int i = 0; i < untouched; i++) {
            prefix.set(original.name(i), original.value(i));
        }
        return prefix.build();
    }

    /**
     * How many of a series' untouched labels a later series can shrink to (a later series that lacks the next label
     * and has only removed labels after that prefix): the first label when the source cannot tell.
     */
    private int shortestShrink(Labels original, int untouched) {
        if (keptNameLists == null) {
            return Math.min(untouched, 1);
        }
        List<String> prefix = new ArrayList<>(untouched);
        for (int i = 0; i < untouched; i++) {
            if (keptNameLists.contains(prefix)) {
                return i;
            }
            prefix.add(original.name(i));
        }
        return untouched;
    }

    /** The source's label name lists without the removed names, when the release rule needs them and the source knows. */
    private Set<List<String>> keptNameLists() {
        if (firstTouched == null || !externalLabels.isEmpty()) {
            return null;
        }
        Set<List<String>> lists;
        try {
            lists = source.labelNameLists();
        } catch (StorageException e) {
            return null; // reading the series reports the failure
        }
        if (lists == null) {
            return null;
        }
        Set<List<String>> kept = new HashSet<>();
        for (List<String> names : lists) {
            List<String> left = new ArrayList<>(names.size());
            for (String name : names) {
                if (!removed.contains(name)) {
                    left.add(name);
                }
            }
            kept.add(left);
        }
        return kept;
    }

    /** The most series the window held at once so far (what a query's answer keeps in memory beyond one series). */
    int maxPending() {
        return maxPending;
    }
}
