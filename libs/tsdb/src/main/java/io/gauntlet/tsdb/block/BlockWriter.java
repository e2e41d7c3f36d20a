package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.ChunkSegmentWriter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.index.IndexWriter;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes one TSDB block as Prometheus 2.42 does — {@code chunks/000001…}, {@code index}, an empty {@code tombstones}
 * and {@code meta.json} — into {@code <parent>/<ULID>.tmp-for-creation}, then fsyncs and atomically renames it to
 * {@code <parent>/<ULID>}, so a half-written block is never visible under its ULID.
 *
 * <p>Streaming: series must arrive in index order (labels by UTF-8 bytes, {@link Utf8Order#compare(Labels, Labels)});
 * chunks go to the segment files as they arrive and each series' labels and chunk metas go to a spill file in the
 * temporary directory, so the heap holds only the distinct label strings (the index's symbol table must be written
 * before the first series). For series in any order use {@link UnsortedBlockWriter}.
 *
 * <p>Samples are cut into XOR chunks where a Prometheus head would cut them ({@link SeriesChunkCutter}, 2 h chunk range
 * by default; {@link Options#withChunkRange} with {@link SeriesChunkCutter#backfillChunkRange} reproduces promtool's
 * backfill byte for byte). Not thread-safe. {@link #close()} without {@link #commit()} deletes the temporary directory.
 */
public final class BlockWriter implements AutoCloseable {
    /** Suffix of the directory a block is written in before the rename (Prometheus' own suffix). */
    public static final String TEMPORARY_SUFFIX = ".tmp-for-creation";
    private static final String SERIES_SPILL = "series.spill";

    /**
     * How to write the block.
     *
     * @param ulid        the block's ULID, or null for a new one
     * @param chunkRange  chunks never cross a multiple of this (ms)
     * @param compaction  the compaction section, or null for level 1 with the block itself as the only source
     * @param thanos      the Thanos section, or null for a plain Prometheus block; its {@code files} are filled in
     * @param segmentSize the maximum size of a chunk segment file
     */
    public record Options(Ulid ulid, long chunkRange, BlockMeta.Compaction compaction, BlockMeta.Thanos thanos, long segmentSize) {
        public Options {
            if (chunkRange <= 0) {
                throw new IllegalArgumentException("chunk range must be positive, got " + chunkRange);
            }
        }

        public static Options defaults() {
            return new Options(null, SeriesChunkCutter.DEFAULT_CHUNK_RANGE, null, null, ChunkSegmentWriter.DEFAULT_SEGMENT_SIZE);
        }

        public Options withUlid(Ulid newUlid) {
            return new Options(newUlid, chunkRange, compaction, thanos, segmentSize);
        }

        public Options withChunkRange(long newChunkRange) {
            return new Options(ulid, newChunkRange, compaction, thanos, segmentSize);
        }

        public Options withCompaction(BlockMeta.Compaction newCompaction) {
            return new Options(ulid, chunkRange, newCompaction, thanos, segmentSize);
        }

        public Options withThanos(BlockMeta.Thanos newThanos) {
            return new Options(ulid, chunkRange, compaction, newThanos, segmentSize);
        }

        public Options withSegmentSize(long newSegmentSize) {
            return new Options(ulid, chunkRange, compaction, thanos, newSegmentSize);
        }
    }

    private final Path parent;
    private final Path temporary;
    private final Ulid ulid;
    private final long minTime;
    private final long maxTime;
    private final Options options;
    private final ChunkSegmentWriter chunkWriter;
    private final DataOutputStream seriesSpill;
    private final Set<String> symbols = new HashSet<>();
    private final SeriesChunkCutter cutter;

    // chunk metas of the series being written
    private long[] chunkMinTimes = new long[16];
    private long[] chunkMaxTimes = new long[16];
    private long[] chunkRefs = new long[16];
    private int chunkCount;

    private Labels lastSeries;
    private long numSamples;
    private long numSeries;
    private long numChunks;
    private long maxSeriesSize;
    private boolean failed;
    private boolean committed;
    private boolean closed;

    private BlockWriter(Path parent, long minTime, long maxTime, Options options) throws IOException {
        if (minTime >= maxTime) {
            throw new IllegalArgumentException("block time range [" + minTime + ", " + maxTime + ") is empty");
        }
        this.parent = parent;
        this.minTime = minTime;
        this.maxTime = maxTime;
        this.options = options;
        this.ulid = options.ulid() == null ? Ulid.generate() : options.ulid();
        Files.createDirectories(parent);
        if (Files.exists(parent.resolve(ulid.toString()))) {
            throw new IllegalArgumentException("block " + ulid + " already exists in " + parent);
        }
        this.temporary = parent.resolve(ulid + TEMPORARY_SUFFIX);
        deleteRecursively(temporary); // a leftover of a crashed writer
        Files.createDirectories(temporary);
        this.chunkWriter = new ChunkSegmentWriter(temporary.resolve("chunks"), options.segmentSize());
        this.seriesSpill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary.resolve(SERIES_SPILL)), 1 << 16));
        this.cutter = new SeriesChunkCutter(options.chunkRange(), this::writeChunk);
    }

    /** Starts a block covering {@code [minTime, maxTime)} (ms) in {@code parent} with default options. */
    public static BlockWriter create(Path parent, long minTime, long maxTime) throws IOException {
        return new BlockWriter(parent, minTime, maxTime, Options.defaults());
    }

    public static BlockWriter create(Path parent, long minTime, long maxTime, Options options) throws IOException {
        return new BlockWriter(parent, minTime, maxTime, options);
    }

    public Ulid ulid() {
        return ulid;
    }

    /** Where the block will be (and after {@link #commit()} is). */
    public Path directory() {
        return parent.resolve(ulid.toString());
    }

    /** The directory written to before the rename; nothing else may be put in it. */
    Path temporaryDirectory() {
        return temporary;
    }

    /**
     * Adds the next series (after the previous one in index order) with its first {@code count} samples: strictly
     * increasing timestamps inside {@code [minTime, maxTime)}. A series without samples is skipped, as Prometheus does.
     *
     * @throws IllegalArgumentException for out-of-order or duplicate series, unordered or out-of-range samples; the
     *                                  writer is left unchanged
     */
    public void addSeries(Labels labels, long[] timestamps, double[] values, int count) throws IOException {
        checkWritable();
        if (count < 0 || count > timestamps.length || count > values.length) {
            throw new IllegalArgumentException("sample count " + count + " outside the arrays of " + timestamps.length + " timestamps and "
                    + values.length + " values");
        }
        if (count == 0) {
            return;
        }
        checkOrder(labels);
        for (int i = 0; i < count; i++) {
            long t = timestamps[i];
            if (t < minTime || t >= maxTime) {
                throw new IllegalArgumentException("sample at " + t + " of series " + labels + " outside the block's [" + minTime + ", " + maxTime + ")");
            }
            if (i > 0 && t <= timestamps[i - 1]) {
                throw new IllegalArgumentException("sample at " + t + " of series " + labels + " not after " + timestamps[i - 1]);
            }
        }
        chunkCount = 0;
        try {
            for (int i = 0; i < count; i++) {
                cutter.append(timestamps[i], values[i]);
            }
            cutter.finish();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        numSamples += count;
        finishSeries(labels);
    }

    /**
     * Adds the next series with ready-made chunks, written untouched (the compactor's pass-through): time ranges
     * ascending, not overlapping and inside the block. XOR, histogram and aggregate (0xFF) chunks are accepted.
     */
    public void addSeries(Labels labels, List<EncodedChunk> chunks) throws IOException {
        checkWritable();
        if (chunks.isEmpty()) {
            return;
        }
        checkOrder(labels);
        long samples = 0;
        for (int i = 0; i < chunks.size(); i++) {
            EncodedChunk chunk = chunks.get(i);
            if (chunk.minTime() < minTime || chunk.maxTime() >= maxTime || chunk.maxTime() < chunk.minTime()) {
                throw new IllegalArgumentException("chunk [" + chunk.minTime() + ", " + chunk.maxTime() + "] of series " + labels
                        + " outside the block's [" + minTime + ", " + maxTime + ")");
            }
            if (i > 0 && chunk.minTime() <= chunks.get(i - 1).maxTime()) {
                throw new IllegalArgumentException("chunk at " + chunk.minTime() + " of series " + labels + " overlaps the chunk before it");
            }
            if (!ChunkEncoding.isKnown(chunk.encoding())) {
                throw new IllegalArgumentException("unknown chunk encoding " + chunk.encoding() + " in series " + labels);
            }
            samples += sampleCount(chunk);
        }
        chunkCount = 0;
        try {
            for (EncodedChunk chunk : chunks) {
                long ref = chunkWriter.write(ChunkEncoding.ofCode(chunk.encoding()), chunk.data());
                recordChunk(chunk.minTime(), chunk.maxTime(), ref);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        numSamples += samples;
        finishSeries(labels);
    }

    /** Samples a chunk holds, from its header: XOR and histogram chunks start with a 2-byte count. */
    private static long sampleCount(EncodedChunk chunk) {
        byte[] data = chunk.data();
        if (chunk.encoding() == ChunkEncoding.AGGREGATE.code()) {
            // the count sub-chunk (first, after its uvarint length and encoding byte) counts the raw samples' windows
            int position = 0;
            int length = 0;
            for (int shift = 0; position < data.length && shift < 35; shift += 7) {
                int b = data[position++] & 0xFF;
                length |= (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
            }
            position++; // encoding byte
            return length >= 2 && position + 2 <= data.length ? ((data[position] & 0xFF) << 8) | (data[position + 1] & 0xFF) : 0;
        }
        return data.length >= 2 ? ((data[0] & 0xFF) << 8) | (data[1] & 0xFF) : 0;
    }

    private void checkWritable() {
        if (closed || committed) {
            throw new IllegalStateException("block writer for " + ulid + " is " + (committed ? "committed" : "closed"));
        }
        if (failed) {
            throw new IllegalStateException("block writer for " + ulid + " failed earlier; close it and start again");
        }
    }

    private void checkOrder(Labels labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        if (lastSeries != null) {
            int order = Utf8Order.compare(labels, lastSeries);
            if (order <= 0) {
                throw new IllegalArgumentException((order == 0 ? "duplicate series " : "out-of-order series ") + labels + " after "
                        + lastSeries + ": BlockWriter needs series in index order (use UnsortedBlockWriter otherwise)");
            }
        }
    }

    private void writeChunk(XorChunkAppender chunk) throws IOException {
        recordChunk(chunk.minTime(), chunk.maxTime(), chunkWriter.write(chunk));
    }

    private void recordChunk(long chunkMinTime, long chunkMaxTime, long ref) {
        if (chunkCount == chunkRefs.length) {
            chunkMinTimes = Arrays.copyOf(chunkMinTimes, chunkCount * 2);
            chunkMaxTimes = Arrays.copyOf(chunkMaxTimes, chunkCount * 2);
            chunkRefs = Arrays.copyOf(chunkRefs, chunkCount * 2);
        }
        chunkMinTimes[chunkCount] = chunkMinTime;
        chunkMaxTimes[chunkCount] = chunkMaxTime;
        chunkRefs[chunkCount] = ref;
        chunkCount++;
    }

    private void finishSeries(Labels labels) throws IOException {
        try {
            seriesSpill.writeInt(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                writeString(symbol(labels.name(i)));
                writeString(symbol(labels.value(i)));
            }
            seriesSpill.writeInt(chunkCount);
            for (int i = 0; i < chunkCount; i++) {
                seriesSpill.writeLong(chunkMinTimes[i]);
                seriesSpill.writeLong(chunkMaxTimes[i]);
                seriesSpill.writeLong(chunkRefs[i]);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        lastSeries = labels;
        numSeries++;
        numChunks += chunkCount;
    }

    private String symbol(String s) {
        symbols.add(s);
        return s;
    }

    private void writeString(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        seriesSpill.writeInt(bytes.length);
        seriesSpill.write(bytes);
    }

    /**
     * Writes the index, tombstones and meta.json, syncs everything and renames the block into place.
     *
     * @return the meta.json written
     */
    public BlockMeta commit() throws IOException {
        checkWritable();
        try {
            chunkWriter.close();
            seriesSpill.close();
            writeIndex();
            Files.delete(temporary.resolve(SERIES_SPILL));
            Tombstones.writeEmpty(temporary);
            BlockMeta meta = meta();
            meta.writeTo(temporary);
            syncDirectory(temporary);
            Path target = directory();
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
            committed = true;
            return meta;
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void writeIndex() throws IOException {
        symbols.add(""); // Prometheus' symbol tables hold the empty string (the all-postings key's name and value)
        String[] sorted = symbols.toArray(String[]::new);
        Arrays.sort(sorted, Utf8Order::compare);
        symbols.clear();
        Path indexFile = temporary.resolve("index");
        try (IndexWriter index = IndexWriter.create(indexFile);
             DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(temporary.resolve(SERIES_SPILL)), 1 << 16))) {
            for (String symbol : sorted) {
                index.addSymbol(symbol);
            }
            sorted = null;
            String[] pairs = new String[16];
            for (long s = 0; s < numSeries; s++) {
                int labelCount = in.readInt();
                if (pairs.length < 2 * labelCount) {
                    pairs = new String[2 * labelCount];
                }
                for (int i = 0; i < 2 * labelCount; i++) {
                    pairs[i] = readString(in);
                }
                Labels labels = Labels.ofSortedPairs(Arrays.copyOf(pairs, 2 * labelCount));
                int chunks = in.readInt();
                if (chunkRefs.length < chunks) {
                    chunkMinTimes = new long[chunks];
                    chunkMaxTimes = new long[chunks];
                    chunkRefs = new long[chunks];
                }
                for (int i = 0; i < chunks; i++) {
                    chunkMinTimes[i] = in.readLong();
                    chunkMaxTimes[i] = in.readLong();
                    chunkRefs[i] = in.readLong();
                }
                index.addSeries(labels, chunkMinTimes, chunkMaxTimes, chunkRefs, chunks);
            }
            maxSeriesSize = index.maxSeriesSize();
            if (in.read() != -1) {
                throw new IOException("series spill file of block " + ulid + " is longer than its " + numSeries + " series");
            }
        } catch (EOFException e) {
            throw new IOException("series spill file of block " + ulid + " ends early", e);
        }
        try (FileChannel channel = FileChannel.open(indexFile, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private BlockMeta meta() throws IOException {
        BlockMeta.Compaction compaction = options.compaction() != null ? options.compaction()
                : BlockMeta.Compaction.of(1, List.of(ulid), List.of());
        BlockMeta meta = BlockMeta.of(ulid, minTime, maxTime, BlockMeta.Stats.of(numSamples, numSeries, numChunks), compaction);
        if (options.thanos() != null) {
            // Thanos lists the block's files (meta.json without a size), sorted by path, and its segment files
            List<BlockMeta.File> files = new ArrayList<>();
            List<String> segments = new ArrayList<>();
            for (Path segment : chunkWriter.files()) {
                files.add(BlockMeta.File.of("chunks/" + segment.getFileName(), Files.size(segment)));
                segments.add(segment.getFileName().toString());
            }
            files.add(BlockMeta.File.of("index", Files.size(temporary.resolve("index"))));
            files.add(BlockMeta.File.of(BlockMeta.FILE, 0));
            files.sort(Comparator.comparing(BlockMeta.File::relPath));
            meta = meta.withThanos(options.thanos().withFiles(files).withSegmentFiles(segments)
                    .withIndexStats(BlockMeta.IndexStats.of(maxSeriesSize, chunkWriter.maxChunkSize())));
        }
        return meta;
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system can sync a directory; the files themselves are synced
        }
    }

    /** Abandons an uncommitted block: closes the files and deletes the temporary directory. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (committed) {
            return;
        }
        try {
            chunkWriter.close();
            seriesSpill.close();
        } finally {
            deleteRecursively(temporary);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
