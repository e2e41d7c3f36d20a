package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.CorruptedDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A block's {@code tombstones} file: deleted time ranges per series reference. Layout: magic {@code 0x0130BA30},
 * version byte 1, entries ({@code uvarint64} series ref, {@code varint} min, {@code varint} max), CRC-32C of the
 * entries (not of the version byte). An empty file is 9 bytes; a missing file means no tombstones.
 */
public final class Tombstones {
    public static final String FILE = "tombstones";
    public static final int MAGIC = 0x0130BA30;
    public static final int VERSION = 1;
    public static final Tombstones NONE = new Tombstones(new TreeMap<>());

    private final TreeMap<Long, TimeIntervals> bySeries;

    private Tombstones(TreeMap<Long, TimeIntervals> bySeries) {
        this.bySeries = bySeries;
    }

    /** Reads {@code <block dir>/tombstones}; none when the file is absent. */
    public static Tombstones read(Path blockDirectory) throws IOException, CorruptedDataException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(blockDirectory.resolve(FILE));
        } catch (NoSuchFileException e) {
            return NONE;
        }
        return parse(bytes, blockDirectory.getFileName() == null ? "" : blockDirectory.getFileName().toString());
    }

    public static Tombstones parse(byte[] bytes, String block) throws CorruptedDataException {
        if (bytes.length < 9) {
            throw corrupted(block, 0, "file of " + bytes.length + " bytes is shorter than the 9-byte minimum");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int magic = buffer.getInt(0);
        if (magic != MAGIC) {
            throw corrupted(block, 0, "invalid magic number " + Integer.toHexString(magic) + ", expected 130ba30");
        }
        if (bytes[4] != VERSION) {
            throw corrupted(block, 4, "unknown tombstones format " + (bytes[4] & 0xFF));
        }
        int end = bytes.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 5, end - 5);
        long stored = Integer.toUnsignedLong(buffer.getInt(end));
        if (crc.getValue() != stored) {
            throw corrupted(block, end, "checksum mismatch: stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue()));
        }
        TreeMap<Long, TimeIntervals> bySeries = new TreeMap<>();
        int[] position = {5};
        while (position[0] < end) {
            int start = position[0];
            long ref = uvarint(bytes, position, end, block);
            long min = zigzag(uvarint(bytes, position, end, block));
            long max = zigzag(uvarint(bytes, position, end, block));
            if (max < min) {
                throw corrupted(block, start, "interval [" + min + ", " + max + "] of series " + Long.toUnsignedString(ref) + " ends before it starts");
            }
            bySeries.merge(ref, TimeIntervals.of(min, max), TimeIntervals::addAll);
        }
        return new Tombstones(bySeries);
    }

    /** The deleted ranges of a series (empty when none). */
    public TimeIntervals intervals(long seriesRef) {
        return bySeries.getOrDefault(seriesRef, TimeIntervals.EMPTY);
    }

    /** Series references with tombstones, ascending. */
    public Map<Long, TimeIntervals> bySeries() {
        return Collections.unmodifiableMap(bySeries);
    }

    public boolean isEmpty() {
        return bySeries.isEmpty();
    }

    /** Number of intervals over all series (meta.json's numTombstones). */
    public long total() {
        return bySeries.values().stream().mapToLong(TimeIntervals::size).sum();
    }

    public Tombstones with(long seriesRef, long min, long max) {
        TreeMap<Long, TimeIntervals> copy = new TreeMap<>(bySeries);
        copy.merge(seriesRef, TimeIntervals.of(min, max), TimeIntervals::addAll);
        return new Tombstones(copy);
    }

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(9 + bySeries.values().stream().mapToInt(i -> 30 * i.size()).sum());
        buffer.putInt(MAGIC).put((byte) VERSION);
        bySeries.forEach((ref, intervals) -> {
            for (int i = 0; i < intervals.size(); i++) {
                putUvarint(buffer, ref);
                putUvarint(buffer, intervals.min(i) << 1 ^ intervals.min(i) >> 63);
                putUvarint(buffer, intervals.max(i) << 1 ^ intervals.max(i) >> 63);
            }
        });
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 5, buffer.position() - 5);
        buffer.putInt((int) crc.getValue());
        return java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** Writes {@code <block dir>/tombstones} atomically (temporary file, fsync, rename). */
    public void writeTo(Path blockDirectory) throws IOException {
        Path temporary = blockDirectory.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(toBytes());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, blockDirectory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the empty 9-byte file Prometheus puts in every block it writes. */
    public static void writeEmpty(Path blockDirectory) throws IOException {
        NONE.writeTo(blockDirectory);
    }

    private static long uvarint(byte[] bytes, int[] position, int end, String block) throws CorruptedDataException {
        int start = position[0];
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (position[0] >= end) {
                throw corrupted(block, start, "entry truncated");
            }
            int b = bytes[position[0]++] & 0xFF;
            if (shift == 63 && b > 1) {
                throw corrupted(block, start, "varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw corrupted(block, start, "varint longer than 10 bytes");
    }

    private static long zigzag(long raw) {
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static void putUvarint(ByteBuffer buffer, long value) {
        while ((value & ~0x7FL) != 0) {
            buffer.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        buffer.put((byte) value);
    }

    private static CorruptedDataException corrupted(String block, long offset, String problem) {
        return new CorruptedDataException(block, FILE, offset, problem);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tombstones that && bySeries.equals(that.bySeries);
    }

    @Override
    public int hashCode() {
        return bySeries.hashCode();
    }

    @Override
    public String toString() {
        return "Tombstones" + bySeries;
    }
}
