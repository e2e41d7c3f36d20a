package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.chunks.ChunkSegmentReader;
import io.gauntlet.tsdb.index.IndexReader;
import io.gauntlet.tsdb.index.MatcherPostings;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * One TSDB block opened for reading: {@code meta.json} parsed, {@code index} and {@code chunks/*} memory-mapped (only
 * sampled symbol and postings offsets on the heap), {@code tombstones} applied by every iterator. Selections stream
 * series in index order and decode samples straight from the mapped files. Safe for concurrent selections; each
 * {@link SeriesSet} and iterator belongs to one thread. {@link #close()} unmaps the files: series sets and chunk views
 * obtained before must not be used afterwards.
 *
 * <p>Failures are typed: {@link CorruptedDataException} (naming block, file and offset; a missing file has offset -1),
 * {@link io.gauntlet.tsdb.UnsupportedEncodingException} for index version 3, raw reads of aggregate chunks and
 * {@link UnsupportedMetaVersionException} for meta.json versions other than 1. A malformed meta.json is a
 * {@link CorruptedDataException} for file {@code meta.json}.
 */
public final class BlockReader implements AutoCloseable {
    private final Path directory;
    private final String block;
    private final BlockMeta meta;
    private final IndexReader index;
    private final ChunkSegmentReader chunks;
    private final Tombstones tombstones;

    private BlockReader(Path directory, String block, BlockMeta meta, IndexReader index, ChunkSegmentReader chunks, Tombstones tombstones) {
        this.directory = directory;
        this.block = block;
        this.meta = meta;
        this.index = index;
        this.chunks = chunks;
        this.tombstones = tombstones;
    }

    /** Opens {@code <dir>/<ULID>}. */
    public static BlockReader open(Path blockDirectory) throws IOException, StorageException {
        String block = blockDirectory.getFileName() == null ? blockDirectory.toString() : blockDirectory.getFileName().toString();
        if (!Files.isDirectory(blockDirectory)) {
            throw new CorruptedDataException(block, ".", -1, "block directory " + blockDirectory + " does not exist");
        }
        BlockMeta meta;
        try {
            meta = BlockMeta.read(blockDirectory);
        } catch (NoSuchFileException e) {
            throw missing(block, BlockMeta.FILE);
        }
        Tombstones tombstones = Tombstones.read(blockDirectory);
        if (!Files.isDirectory(blockDirectory.resolve("chunks"))) {
            throw missing(block, "chunks");
        }
        IndexReader index;
        try {
            index = IndexReader.open(blockDirectory.resolve("index"));
        } catch (NoSuchFileException e) {
            throw missing(block, "index");
        }
        try {
            ChunkSegmentReader chunks = ChunkSegmentReader.open(blockDirectory.resolve("chunks"));
            return new BlockReader(blockDirectory, block, meta, index, chunks, tombstones);
        } catch (IOException | StorageException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    private static CorruptedDataException missing(String block, String file) {
        return new CorruptedDataException(block, file, -1, "file is missing");
    }

    public Path directory() {
        return directory;
    }

    public BlockMeta meta() {
        return meta;
    }

    public long minTime() {
        return meta.minTime();
    }

    /** Exclusive end of the block's time range. */
    public long maxTime() {
        return meta.maxTime();
    }

    public IndexReader index() {
        return index;
    }

    public ChunkSegmentReader chunks() {
        return chunks;
    }

    public Tombstones tombstones() {
        return tombstones;
    }

    /**
     * Series matching all matchers (every series for none) with a chunk in {@code [mint, maxt]} (ms, inclusive), in
     * index order; their iterators yield only samples in that range and not deleted by tombstones.
     */
    public SeriesSet select(long mint, long maxt, List<LabelMatcher> matchers) throws StorageException {
        return new BlockSeriesSet(this, postings(matchers), mint, maxt);
    }

    /**
     * The same series as {@link #select} with their encoded chunks that overlap {@code [mint, maxt]}, copied untouched
     * (not trimmed to the range, as the store gateway sends them); chunks with deleted samples are re-encoded without them.
     */
    public ChunkSeriesSet selectChunks(long mint, long maxt, List<LabelMatcher> matchers) throws StorageException {
        return new BlockChunkSeriesSet(this, postings(matchers), mint, maxt);
    }

    private Postings postings(List<LabelMatcher> matchers) throws CorruptedDataException {
        return matchers.isEmpty() ? index.allPostings() : MatcherPostings.postingsForMatchers(index, matchers);
    }

    /** Sorted label names of the series the matchers select (all for none). */
    public List<String> labelNames(List<LabelMatcher> matchers) throws StorageException {
        return MatcherPostings.labelNames(index, matchers);
    }

    /** Sorted values of label {@code name} among the series the matchers select (all for none). */
    public List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException {
        return MatcherPostings.labelValues(index, name, matchers);
    }

    String block() {
        return block;
    }

    @Override
    public void close() {
        try {
            index.close();
        } finally {
            chunks.close();
        }
    }

    @Override
    public String toString() {
        return "block " + block + " [" + meta.minTime() + ", " + meta.maxTime() + ")";
    }
}
