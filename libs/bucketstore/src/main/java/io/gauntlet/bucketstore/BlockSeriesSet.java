package io.gauntlet.bucketstore;

import io.gauntlet.bucketstore.BucketBlock.SeriesMeta;
import io.gauntlet.store.Aggregate;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The selected series of one block, their chunks loaded a batch of series at a time as the client reads (so a large
 * answer never sits in memory whole). The series list itself is prepared ahead, possibly on another thread.
 */
final class BlockSeriesSet implements ChunkSeriesSet, AutoCloseable {
    /** Series per chunk load at most: one coalesced set of range reads serves this many series. */
    static final int BATCH_SERIES = 512;
    /**
     * Chunks per load at most: a query merges every block it touches at once, so each open block's batch is held
     * together (a month of day blocks × 512 series × 24 chunks was ~90 MB per query, and 8 panels ran a 512 MiB heap
     * out of memory).
     */
    static final int BATCH_CHUNKS = 2048;

    private final BucketBlock block;
    private final CompletableFuture<List<SeriesMeta>> prepared;
    private final boolean skipChunks;
    private final List<AggregateType> aggregates; // empty: pass aggregate chunks whole
    private final BucketStoreStats stats;
    private List<SeriesMeta> series;
    private int position = -1;
    private int batchStart;
    private int batchEnd;
    private byte[][][] data;
    private int[][] encodings;
    private List<EncodedChunk> chunks = List.of();
    private boolean released;

    BlockSeriesSet(BucketBlock block, CompletableFuture<List<SeriesMeta>> prepared, boolean skipChunks, List<Aggregate> aggregates,
            BucketStoreStats stats) {
        this.block = block;
        this.prepared = prepared;
        this.skipChunks = skipChunks;
        this.stats = stats;
        List<AggregateType> types = new ArrayList<>();
        for (Aggregate aggregate : aggregates) {
            if (aggregate != Aggregate.RAW) {
                types.add(AggregateType.valueOf(aggregate.name()));
            }
        }
        this.aggregates = types;
    }

    @Override
    public boolean next() throws StorageException {
        if (released) {
            return false;
        }
        selected();
        position++;
        if (position >= series.size()) {
            chunks = List.of();
            close(); // read to the end: the block may go
            return false;
        }
        SeriesMeta current = series.get(position);
        if (skipChunks) {
            chunks = List.of();
            return true;
        }
        if (position >= batchEnd) {
            batchStart = position;
            batchEnd = batchEnd(series, position);
            data = new byte[batchEnd - batchStart][][];
            encodings = new int[batchEnd - batchStart][];
            block.loadChunks(series, batchStart, batchEnd, data, encodings);
        }
        int at = position - batchStart;
        List<EncodedChunk> list = new ArrayList<>(current.chunkCount());
        for (int c = 0; c < current.chunkCount(); c++) {
            byte[] bytes = data[at][c];
            int encoding = encodings[at][c];
            if (encoding == 0xFF && !aggregates.isEmpty()) {
                bytes = onlyAggregates(bytes);
            }
            list.add(new EncodedChunk(current.minTimes()[c], current.maxTimes()[c], encoding, bytes));
            stats.chunkFetched(bytes.length);
        }
        data[at] = null; // handed on: let the batch shrink as it streams
        chunks = list;
        return true;
    }

    /** The end of the batch starting at {@code start}: at most BATCH_SERIES series and BATCH_CHUNKS chunks, one series at least. */
    static int batchEnd(List<SeriesMeta> series, int start) {
        int end = start;
        int chunks = 0;
        int limit = Math.min(series.size(), start + BATCH_SERIES);
        while (end < limit && (end == start || chunks + series.get(end).chunkCount() <= BATCH_CHUNKS)) {
            chunks += series.get(end).chunkCount();
            end++;
        }
        return end;
    }

    /**
     * An aggregate chunk cut down to the aggregates the query asked for (sub-chunk bytes are copied, not decoded), each
     * keeping its own encoding: a native histogram's sum and counter are float histogram chunks.
     */
    private byte[] onlyAggregates(byte[] bytes) throws StorageException {
        AggregateChunk chunk = AggregateChunk.decode(bytes);
        Map<AggregateType, AggregateChunk.Part> kept = new EnumMap<>(AggregateType.class);
        for (AggregateType type : aggregates) {
            if (chunk.has(type)) {
                kept.put(type, chunk.part(type));
            }
        }
        if (kept.isEmpty()) {
            throw new StorageException("block " + block.id() + " has no " + aggregates + " aggregate for a downsampled chunk");
        }
        return AggregateChunk.encodeParts(kept);
    }

    /** The selected series, waited for once. */
    private List<SeriesMeta> selected() throws StorageException {
        if (series == null) {
            series = await();
            stats.seriesTouched(series.size());
        }
        return series;
    }

    /** The label name lists of every selected series (external names included): the index read them all ahead anyway. */
    @Override
    public Set<List<String>> labelNameLists() throws StorageException {
        if (series == null && released) {
            return null;
        }
        Set<List<String>> lists = new HashSet<>();
        Labels previous = null;
        for (SeriesMeta meta : selected()) {
            Labels labels = meta.labels();
            if (previous == null || !sameNames(previous, labels)) {
                lists.add(labels.names());
                previous = labels;
            }
        }
        return lists;
    }

    private static boolean sameNames(Labels a, Labels b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.name(i).equals(b.name(i))) {
                return false;
            }
        }
        return true;
    }

    private List<SeriesMeta> await() throws StorageException {
        try {
            return prepared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while selecting series of block " + block.id(), e);
        } catch (CancellationException e) {
            throw new StorageException("series selection of block " + block.id() + " was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StorageException storage) {
                throw storage;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException("selecting series of block " + block.id() + ": " + cause, cause);
        }
    }

    @Override
    public Labels labels() {
        return series.get(position).labels();
    }

    @Override
    public List<EncodedChunk> chunks() {
        return chunks;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            prepared.cancel(false); // a selection still running may fail on an unmapped header: its result is unused
            block.release();
        }
    }
}
