package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.ChunkSegmentReader;
import io.gauntlet.tsdb.chunks.StoredChunk;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every XOR chunk of blocks a Prometheus wrote (e.g. a snapshot of a real node_exporter's scrapes), decoded in place
 * from the memory-mapped segment files the way the store gateway reads them, and their samples for re-encoding.
 * The files are only read; nothing is copied into the repository.
 */
final class XorRealChunks implements AutoCloseable {
    private final List<ChunkSegmentReader> readers;
    private final MemorySegment[] chunks;
    private final long[][] timestamps;
    private final double[][] values;
    private final long samples;
    private final long bytes;
    private final int blocks;
    private final int skipped;

    private XorRealChunks(List<ChunkSegmentReader> readers, List<MemorySegment> chunks, int blocks, int skipped)
            throws StorageException {
        this.readers = readers;
        this.chunks = chunks.toArray(MemorySegment[]::new);
        this.blocks = blocks;
        this.skipped = skipped;
        this.timestamps = new long[this.chunks.length][];
        this.values = new double[this.chunks.length][];
        XorSampleIterator iterator = new XorSampleIterator();
        long sampleCount = 0;
        long byteCount = 0;
        for (int c = 0; c < this.chunks.length; c++) {
            iterator.reset(this.chunks[c], 0, this.chunks[c].byteSize());
            int n = iterator.sampleCount();
            timestamps[c] = new long[n];
            values[c] = new double[n];
            int i = 0;
            while (iterator.next()) {
                timestamps[c][i] = iterator.timestamp();
                values[c][i++] = iterator.value();
            }
            sampleCount += n;
            byteCount += this.chunks[c].byteSize();
        }
        this.samples = sampleCount;
        this.bytes = byteCount;
    }

    /**
     * Opens every block under the given paths: each is a block directory (it holds {@code meta.json}) or a directory
     * of blocks, such as a Prometheus snapshot.
     */
    static XorRealChunks open(List<Path> paths) throws IOException, StorageException {
        List<Path> blockDirs = new ArrayList<>();
        for (Path path : paths) {
            if (Files.exists(path.resolve("meta.json"))) {
                blockDirs.add(path);
            } else {
                try (Stream<Path> entries = Files.list(path)) {
                    entries.filter(p -> Files.exists(p.resolve("meta.json"))).sorted().forEach(blockDirs::add);
                }
            }
        }
        if (blockDirs.isEmpty()) {
            throw new IllegalArgumentException("no block directories (with meta.json) in or under " + paths);
        }
        List<ChunkSegmentReader> readers = new ArrayList<>();
        List<MemorySegment> chunks = new ArrayList<>();
        int skipped = 0;
        for (Path block : blockDirs) {
            ChunkSegmentReader reader = ChunkSegmentReader.open(block.resolve("chunks"));
            readers.add(reader);
            for (long ref : reader.scanRefs()) {
                StoredChunk chunk = reader.chunk(ref);
                if (chunk.encoding() == ChunkEncoding.XOR) {
                    chunks.add(chunk.data());
                } else {
                    skipped++;
                }
            }
        }
        return new XorRealChunks(readers, chunks, blockDirs.size(), skipped);
    }

    long samples() {
        return samples;
    }

    double bytesPerSample() {
        return (double) bytes / samples;
    }

    String describe() {
        return String.format("%d blocks, %,d XOR chunks (%d of other encodings skipped), %,d samples, %.3f bytes/sample",
                blocks, chunks.length, skipped, samples, bytesPerSample());
    }

    /** Encodes every chunk's samples again; returns the bytes written. */
    long encode(XorChunkAppender appender) {
        long written = 0;
        for (int c = 0; c < timestamps.length; c++) {
            long[] ts = timestamps[c];
            double[] vs = values[c];
            appender.reset();
            for (int i = 0; i < ts.length; i++) {
                appender.append(ts[i], vs[i]);
            }
            written += appender.encodedLength();
        }
        return written;
    }

    MemorySegment[] chunks() {
        return chunks;
    }

    @Override
    public void close() {
        for (ChunkSegmentReader reader : readers) {
            reader.close();
        }
    }
}
