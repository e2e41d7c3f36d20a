package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads the segment files of a block's {@code chunks/} directory, memory-mapped (no heap copy). Chunk views stay
 * valid until {@link #close()}. Every problem with the files is a {@link CorruptedDataException} naming the block,
 * the file ({@code chunks/000001}) and the byte offset. Safe for concurrent reads.
 */
public final class ChunkSegmentReader implements AutoCloseable {
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Prometheus reads the data length as a 32-bit uvarint. */
    private static final int MAX_LENGTH_FIELD_SIZE = 5;
    private static final int CRC_SIZE = 4;

    private final Arena arena;
    private final MemorySegment[] segments;
    private final String block;
    private final String[] fileNames;

    private ChunkSegmentReader(Arena arena, MemorySegment[] segments, String block, String[] fileNames) {
        this.arena = arena;
        this.segments = segments;
        this.block = block;
        this.fileNames = fileNames;
    }

    /** Maps every segment file ({@code 000001}, {@code 000002}, … without gaps) and checks their headers. */
    public static ChunkSegmentReader open(Path chunksDirectory) throws IOException, CorruptedDataException {
        String block = CorruptedDataException.blockOf(chunksDirectory.resolve("000001"));
        TreeMap<Long, Path> numbered = new TreeMap<>();
        try (Stream<Path> entries = Files.list(chunksDirectory)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.length() <= 18 && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    numbered.put(Long.parseLong(name), entry);
                }
            }
        }
        List<Path> files = new ArrayList<>(numbered.values());
        long expected = 1;
        for (long number : numbered.keySet()) {
            if (number != expected) {
                throw new CorruptedDataException(block, "chunks/" + String.format("%06d", expected), -1,
                        "segment file is missing (found " + numbered.keySet() + ")");
            }
            expected++;
        }
        Arena arena = Arena.ofShared();
        MemorySegment[] segments = new MemorySegment[files.size()];
        String[] names = new String[files.size()];
        try {
            for (int i = 0; i < files.size(); i++) {
                names[i] = "chunks/" + files.get(i).getFileName();
                try (FileChannel channel = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
                    segments[i] = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
                }
                checkHeader(segments[i], block, names[i]);
            }
        } catch (IOException | CorruptedDataException | RuntimeException e) {
            arena.close();
            throw e;
        }
        return new ChunkSegmentReader(arena, segments, block, names);
    }

    private static void checkHeader(MemorySegment segment, String block, String file) throws CorruptedDataException {
        long size = segment.byteSize();
        if (size < ChunkSegmentWriter.SEGMENT_HEADER_SIZE) {
            throw new CorruptedDataException(block, file, 0, "segment file of " + size + " bytes is shorter than its 8-byte header");
        }
        int magic = segment.get(INT_BE, 0);
        if (magic != ChunkSegmentWriter.MAGIC) {
            throw new CorruptedDataException(block, file, 0, String.format(
                    "bad magic number 0x%08X, expected 0x%08X", magic, ChunkSegmentWriter.MAGIC));
        }
        int version = segment.get(ValueLayout.JAVA_BYTE, 4) & 0xFF;
        if (version != ChunkSegmentWriter.FORMAT_VERSION) {
            throw new CorruptedDataException(block, file, 4, "unsupported chunk segment format version " + version
                    + ", expected " + ChunkSegmentWriter.FORMAT_VERSION);
        }
    }

    public int segmentCount() {
        return segments.length;
    }

    /** The chunk a reference points at, after checking its bounds and CRC. */
    public StoredChunk chunk(long ref) throws CorruptedDataException {
        long fileIndex = ref >>> 32;
        long offset = ref & 0xFFFF_FFFFL;
        if (fileIndex >= segments.length) {
            throw new CorruptedDataException(block, "chunks/" + String.format("%06d", fileIndex + 1), offset,
                    "chunk reference " + ref + " points to segment file " + (fileIndex + 1) + " but there are "
                            + segments.length);
        }
        return read((int) fileIndex, offset);
    }

    private StoredChunk read(int fileIndex, long offset) throws CorruptedDataException {
        MemorySegment segment = segments[fileIndex];
        String file = fileNames[fileIndex];
        long size = segment.byteSize();
        if (offset < ChunkSegmentWriter.SEGMENT_HEADER_SIZE || offset >= size) {
            throw new CorruptedDataException(block, file, offset, "chunk offset outside the file's chunk area [8, " + size + ")");
        }
        long length = 0;
        long position = offset;
        for (int shift = 0; ; shift += 7) {
            if (position >= size) {
                throw new CorruptedDataException(block, file, offset, "chunk length runs past the end of the file (" + size + " bytes)");
            }
            if (position - offset == MAX_LENGTH_FIELD_SIZE) {
                throw new CorruptedDataException(block, file, offset, "chunk length field longer than " + MAX_LENGTH_FIELD_SIZE + " bytes");
            }
            int b = segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
            length |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                break;
            }
        }
        long encodingAt = position;
        long dataAt = encodingAt + 1;
        if (dataAt + length + CRC_SIZE > size) {
            throw new CorruptedDataException(block, file, offset, "chunk of " + length + " bytes runs past the end of the file ("
                    + size + " bytes): truncated");
        }
        int code = segment.get(ValueLayout.JAVA_BYTE, encodingAt) & 0xFF;
        MemorySegment withEncoding = segment.asSlice(encodingAt, 1 + length);
        CRC32C crc = new CRC32C();
        crc.update(withEncoding.asByteBuffer());
        int stored = segment.get(INT_BE, dataAt + length);
        if ((int) crc.getValue() != stored) {
            throw new CorruptedDataException(block, file, offset, String.format(
                    "chunk CRC32C mismatch: stored 0x%08X, computed 0x%08X", stored, (int) crc.getValue()));
        }
        if (!ChunkEncoding.isKnown(code)) {
            throw new CorruptedDataException(block, file, offset, "unknown chunk encoding " + code);
        }
        long ref = ((long) fileIndex << 32) | offset;
        return new StoredChunk(ref, ChunkEncoding.ofCode(code), segment.asSlice(dataAt, length),
                new ChunkOrigin(block, file, offset));
    }

    /**
     * References of every chunk in file order, found by walking the files from their headers (checking each chunk):
     * for verification tools, since readers normally get references from the index.
     */
    public long[] scanRefs() throws CorruptedDataException {
        long[] refs = new long[64];
        int count = 0;
        for (int fileIndex = 0; fileIndex < segments.length; fileIndex++) {
            long offset = ChunkSegmentWriter.SEGMENT_HEADER_SIZE;
            long size = segments[fileIndex].byteSize();
            while (offset < size) {
                if (segments[fileIndex].get(ValueLayout.JAVA_BYTE, offset) == 0 && allZero(segments[fileIndex], offset)) {
                    break; // zero padding after the last chunk (no real chunk has length 0)
                }
                StoredChunk chunk = read(fileIndex, offset);
                if (count == refs.length) {
                    refs = Arrays.copyOf(refs, count * 2);
                }
                refs[count++] = chunk.ref();
                long length = chunk.data().byteSize();
                offset += uvarintSize(length) + 1 + length + CRC_SIZE;
            }
        }
        return Arrays.copyOf(refs, count);
    }

    /**
     * The largest chunk as it lies in its file (length field, encoding, data, CRC) in bytes, found by walking every file's
     * chunk headers without checking CRCs; stops at zero padding or a length running past the file's end.
     */
    public long maxStoredChunkSize() {
        long max = 0;
        for (MemorySegment segment : segments) {
            long offset = ChunkSegmentWriter.SEGMENT_HEADER_SIZE;
            long size = segment.byteSize();
            while (offset < size) {
                long length = 0;
                long position = offset;
                int shift = 0;
                int b;
                do {
                    if (position >= size || position - offset == MAX_LENGTH_FIELD_SIZE) {
                        return max;
                    }
                    b = segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
                    length |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while (b >= 0x80);
                if (length == 0) {
                    break; // zero padding after the last chunk
                }
                long stored = (position - offset) + 1 + length + CRC_SIZE;
                if (offset + stored > size) {
                    break;
                }
                max = Math.max(max, stored);
                offset += stored;
            }
        }
        return max;
    }

    private static boolean allZero(MemorySegment segment, long from) {
        for (long i = from; i < segment.byteSize(); i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int uvarintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    /** Unmaps the files; chunk views obtained before become inaccessible. */
    @Override
    public void close() {
        arena.close();
    }
}
