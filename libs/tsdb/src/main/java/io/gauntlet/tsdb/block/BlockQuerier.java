package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The storage SPI over open blocks: series of equal labels from several blocks are merged into one, their samples
 * chained by time with identical timestamps kept once (the block earliest in time, then in ULID, wins). Blocks not overlapping
 * {@code [mint, maxt]} are not touched. A querier built on open readers does not own them; one made by {@link #open}
 * does and closes them.
 */
public final class BlockQuerier implements Querier {
    private final List<BlockReader> blocks;
    private final List<BlockReader> owned;
    private final long mint;
    private final long maxt;

    /** Samples in {@code [mint, maxt]} (ms, inclusive) of the given blocks, which stay open when the querier closes. */
    public BlockQuerier(List<BlockReader> blocks, long mint, long maxt) {
        this(blocks, mint, maxt, List.of());
    }

    private BlockQuerier(List<BlockReader> blocks, long mint, long maxt, List<BlockReader> owned) {
        List<BlockReader> overlapping = new ArrayList<>();
        for (BlockReader block : blocks) {
            if (block.minTime() <= maxt && mint < block.maxTime()) {
                overlapping.add(block);
            }
        }
        // time order, then creation order (ULID): decides which block's sample wins on equal timestamps
        overlapping.sort((a, b) -> a.minTime() != b.minTime() ? Long.compare(a.minTime(), b.minTime())
                : a.meta().ulid().compareTo(b.meta().ulid()));
        this.blocks = List.copyOf(overlapping);
        this.mint = mint;
        this.maxt = maxt;
        this.owned = owned;
    }

    /** Opens the block directories for a querier that owns them: closing it closes (unmaps) every block. */
    public static BlockQuerier open(List<Path> blockDirectories, long mint, long maxt) throws IOException, StorageException {
        List<BlockReader> readers = new ArrayList<>();
        try {
            for (Path directory : blockDirectories) {
                readers.add(BlockReader.open(directory));
            }
        } catch (IOException | StorageException | RuntimeException e) {
            readers.forEach(BlockReader::close);
            throw e;
        }
        return new BlockQuerier(readers, mint, maxt, List.copyOf(readers));
    }

    /** A {@link Queryable} over blocks the caller keeps open. */
    public static Queryable queryable(List<BlockReader> blocks) {
        List<BlockReader> copy = List.copyOf(blocks);
        return (mint, maxt) -> new BlockQuerier(copy, mint, maxt);
    }

    /** Always sorted by labels; hints narrow the time range to {@code [start, end]} when given. */
    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) throws StorageException {
        long from = mint;
        long to = maxt;
        if (hints != null && hints.start() <= hints.end()) {
            from = Math.max(from, hints.start());
            to = Math.min(to, hints.end());
        }
        if (from > to) {
            return SeriesSet.empty();
        }
        List<SeriesSet> sets = new ArrayList<>(blocks.size());
        for (BlockReader block : blocks) {
            if (block.minTime() <= to && from < block.maxTime()) {
                sets.add(block.select(from, to, matchers));
            }
        }
        if (sets.isEmpty()) {
            return SeriesSet.empty();
        }
        return sets.size() == 1 ? sets.getFirst() : new MergedSeriesSet(sets);
    }

    @Override
    public List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException {
        TreeSet<String> values = new TreeSet<>(Utf8Order::compare);
        for (BlockReader block : blocks) {
            values.addAll(block.labelValues(name, matchers));
        }
        return List.copyOf(values);
    }

    @Override
    public List<String> labelNames(List<LabelMatcher> matchers) throws StorageException {
        TreeSet<String> names = new TreeSet<>(Utf8Order::compare);
        for (BlockReader block : blocks) {
            names.addAll(block.labelNames(matchers));
        }
        return List.copyOf(names);
    }

    /** Closes the blocks this querier opened itself ({@link #open}); blocks passed in belong to the caller. */
    @Override
    public void close() {
        owned.forEach(BlockReader::close);
    }
}
