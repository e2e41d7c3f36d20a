package io.gauntlet.tsdb.chunks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes chunks into a block's {@code chunks/} directory as Prometheus segment files {@code 000001}, {@code 000002},
 * …: an 8-byte header (magic, version 1, padding), then per chunk {@code uvarint len(data)}, the encoding byte, the
 * data and a CRC32C of encoding and data. Cuts a new file when the next chunk would not fit the segment size (a
 * chunk larger than a whole segment gets a file of its own). Prometheus decides per series instead (a series' chunks
 * stay in one file when they fit), so blocks beyond one segment file may split differently; readers do not care.
 */
public final class ChunkSegmentWriter implements AutoCloseable {
    public static final long DEFAULT_SEGMENT_SIZE = 512L * 1024 * 1024;
    public static final int MAGIC = 0x85BD40DD;
    public static final int FORMAT_VERSION = 1;
    public static final int SEGMENT_HEADER_SIZE = 8;
    private static final int CRC_SIZE = 4;

    private final Path directory;
    private final long segmentSize;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    private final CRC32C crc = new CRC32C();
    private final List<Path> files = new ArrayList<>();
    private byte[] scratch = new byte[256];
    private FileChannel channel;
    private long position;
    private int chunksInSegment;
    private long maxChunkSize;
    private boolean closed;

    public ChunkSegmentWriter(Path chunksDirectory) throws IOException {
        this(chunksDirectory, DEFAULT_SEGMENT_SIZE);
    }

    /** {@code segmentSize} bounds each file (offsets are 32-bit, so at most 4 GiB); smaller sizes are for tests. */
    public ChunkSegmentWriter(Path chunksDirectory, long segmentSize) throws IOException {
        if (segmentSize <= SEGMENT_HEADER_SIZE || segmentSize > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("segment size must be in (8, 4 GiB), got " + segmentSize);
        }
        this.directory = chunksDirectory;
        this.segmentSize = segmentSize;
        Files.createDirectories(chunksDirectory);
    }

    /** Writes one chunk and returns its reference: segment index (0 for {@code 000001}) << 32 | byte offset. */
    public long write(ChunkEncoding encoding, byte[] data, int offset, int length) throws IOException {
        if (closed) {
            throw new IllegalStateException("chunk segment writer for " + directory + " is closed");
        }
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") outside " + data.length + " bytes");
        }
        int chunkSize = uvarintSize(length) + 1 + length + CRC_SIZE;
        if (channel == null || (chunksInSegment > 0 && position + chunkSize > segmentSize)) {
            cutSegment();
        }
        long ref = ((long) (files.size() - 1) << 32) | position;
        putUvarint(length);
        put((byte) encoding.code());
        put(data, offset, length);
        crc.reset();
        crc.update(encoding.code());
        crc.update(data, offset, length);
        putInt((int) crc.getValue());
        position += chunkSize;
        chunksInSegment++;
        maxChunkSize = Math.max(maxChunkSize, chunkSize);
        return ref;
    }

    public long write(ChunkEncoding encoding, byte[] data) throws IOException {
        return write(encoding, data, 0, data.length);
    }

    /** Writes the chunk an appender holds (XOR encoding). */
    public long write(XorChunkAppender chunk) throws IOException {
        int length = chunk.encodedLength();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        chunk.copyTo(scratch, 0);
        return write(ChunkEncoding.XOR, scratch, 0, length);
    }

    /** The largest chunk so far as it lies in its file (length, encoding, data, CRC) in bytes. */
    public long maxChunkSize() {
        return maxChunkSize;
    }

    /** The segment files written so far, in order. */
    public List<Path> files() {
        return List.copyOf(files);
    }

    private void cutSegment() throws IOException {
        finishSegment();
        Path file = directory.resolve(String.format("%06d", files.size() + 1));
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        files.add(file);
        putInt(MAGIC);
        put((byte) FORMAT_VERSION);
        put((byte) 0);
        put((byte) 0);
        put((byte) 0);
        position = SEGMENT_HEADER_SIZE;
        chunksInSegment = 0;
    }

    private void finishSegment() throws IOException {
        if (channel == null) {
            return;
        }
        flush();
        channel.force(true);
        channel.close();
        channel = null;
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private void put(byte b) throws IOException {
        if (!buffer.hasRemaining()) {
            flush();
        }
        buffer.put(b);
    }

    private void putInt(int value) throws IOException {
        if (buffer.remaining() < 4) {
            flush();
        }
        buffer.putInt(value);
    }

    private void put(byte[] data, int offset, int length) throws IOException {
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = Math.min(length, buffer.remaining());
            buffer.put(data, offset, n);
            offset += n;
            length -= n;
        }
    }

    private void putUvarint(long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        put((byte) value);
    }

    private static int uvarintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    /** Flushes and fsyncs the last segment file and the directory. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        finishSegment();
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system can sync a directory; the files themselves are synced
        }
    }
}
