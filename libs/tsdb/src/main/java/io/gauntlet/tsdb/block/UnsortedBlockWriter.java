package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BlockWriter} for series in any order. Each series is cut into chunks at once and the encoded chunks (about
 * 1–2 bytes a sample, never the raw samples) are appended to a spill file in the block's temporary directory; the heap
 * keeps only each series' labels and spill position. {@link #commit()} sorts the series and copies their chunks into
 * the block in index order. Good for up to a few million series; the compactor and other sorted producers should use
 * {@link BlockWriter} directly.
 */
public final class UnsortedBlockWriter implements AutoCloseable {
    private static final String CHUNK_SPILL = "chunks.spill";

    private record PendingSeries(Labels labels, long spillOffset, int chunkCount) {
    }

    private final BlockWriter writer;
    private final long minTime;
    private final long maxTime;
    private final Path spillFile;
    private final DataOutputStream spill;
    private final SeriesChunkCutter cutter;
    private final List<PendingSeries> pending = new ArrayList<>();
    private long spillPosition;
    private int chunkCount;
    private byte[] scratch = new byte[256];
    private boolean failed;

    private UnsortedBlockWriter(BlockWriter writer, long minTime, long maxTime, long chunkRange) throws IOException {
        this.writer = writer;
        this.minTime = minTime;
        this.maxTime = maxTime;
        this.spillFile = writer.temporaryDirectory().resolve(CHUNK_SPILL);
        this.spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 16));
        this.cutter = new SeriesChunkCutter(chunkRange, this::spillChunk);
    }

    public static UnsortedBlockWriter create(Path parent, long minTime, long maxTime) throws IOException {
        return create(parent, minTime, maxTime, BlockWriter.Options.defaults());
    }

    public static UnsortedBlockWriter create(Path parent, long minTime, long maxTime, BlockWriter.Options options) throws IOException {
        BlockWriter writer = BlockWriter.create(parent, minTime, maxTime, options);
        try {
            return new UnsortedBlockWriter(writer, minTime, maxTime, options.chunkRange());
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    public Ulid ulid() {
        return writer.ulid();
    }

    public Path directory() {
        return writer.directory();
    }

    /** Adds a series (any order; each label set once) with {@code count} samples, validated as {@link BlockWriter} does. */
    public void addSeries(Labels labels, long[] timestamps, double[] values, int count) throws IOException {
        checkWritable();
        if (count < 0 || count > timestamps.length || count > values.length) {
            throw new IllegalArgumentException("sample count " + count + " outside the arrays of " + timestamps.length + " timestamps and "
                    + values.length + " values");
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        for (int i = 0; i < count; i++) {
            long t = timestamps[i];
            if (t < minTime || t >= maxTime) {
                throw new IllegalArgumentException("sample at " + t + " of series " + labels + " outside the block's [" + minTime + ", " + maxTime + ")");
            }
            if (i > 0 && t <= timestamps[i - 1]) {
                throw new IllegalArgumentException("sample at " + t + " of series " + labels + " not after " + timestamps[i - 1]);
            }
        }
        if (count == 0) {
            return;
        }
        long offset = spillPosition;
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
        pending.add(new PendingSeries(labels, offset, chunkCount));
    }

    /** Adds a series (any order) with ready-made chunks, checked and written as {@link BlockWriter} does at commit. */
    public void addSeries(Labels labels, List<EncodedChunk> chunks) throws IOException {
        checkWritable();
        if (chunks.isEmpty()) {
            return;
        }
        long offset = spillPosition;
        try {
            for (EncodedChunk chunk : chunks) {
                spillChunk(chunk.minTime(), chunk.maxTime(), chunk.encoding(), chunk.data(), chunk.data().length);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        pending.add(new PendingSeries(labels, offset, chunks.size()));
    }

    private void spillChunk(XorChunkAppender chunk) throws IOException {
        int length = chunk.encodedLength();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, 2 * scratch.length)];
        }
        chunk.copyTo(scratch, 0);
        spillChunk(chunk.minTime(), chunk.maxTime(), ChunkEncoding.XOR.code(), scratch, length);
        chunkCount++;
    }

    private void spillChunk(long chunkMinTime, long chunkMaxTime, int encoding, byte[] data, int length) throws IOException {
        spill.writeLong(chunkMinTime);
        spill.writeLong(chunkMaxTime);
        spill.writeInt(encoding);
        spill.writeInt(length);
        spill.write(data, 0, length);
        spillPosition += 24 + length;
    }

    private void checkWritable() {
        if (failed) {
            throw new IllegalStateException("block writer for " + writer.ulid() + " failed earlier; close it and start again");
        }
    }

    /**
     * Sorts the series, writes them through a {@link BlockWriter} and renames the block into place.
     *
     * @throws IllegalArgumentException when a label set was added twice
     */
    public BlockMeta commit() throws IOException {
        checkWritable();
        spill.close();
        pending.sort((a, b) -> Utf8Order.compare(a.labels(), b.labels()));
        try (FileChannel channel = FileChannel.open(spillFile, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(24);
            List<EncodedChunk> chunks = new ArrayList<>();
            for (int s = 0; s < pending.size(); s++) {
                PendingSeries series = pending.get(s);
                pending.set(s, null); // let the labels go as we pass
                chunks.clear();
                long position = series.spillOffset();
                for (int c = 0; c < series.chunkCount(); c++) {
                    header.clear();
                    readFully(channel, header, position);
                    header.flip();
                    long chunkMinTime = header.getLong();
                    long chunkMaxTime = header.getLong();
                    int encoding = header.getInt();
                    byte[] data = new byte[header.getInt()];
                    readFully(channel, ByteBuffer.wrap(data), position + 24);
                    position += 24 + data.length;
                    chunks.add(new EncodedChunk(chunkMinTime, chunkMaxTime, encoding, data));
                }
                writer.addSeries(series.labels(), chunks);
            }
        }
        pending.clear();
        Files.delete(spillFile);
        return writer.commit();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("chunk spill file ends early at " + position);
            }
            position += n;
        }
    }

    /** Abandons an uncommitted block and deletes its temporary directory. */
    @Override
    public void close() throws IOException {
        try {
            spill.close();
        } finally {
            writer.close();
        }
    }
}
