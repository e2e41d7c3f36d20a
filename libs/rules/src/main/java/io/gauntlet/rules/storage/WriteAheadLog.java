package io.gauntlet.rules.storage;

import io.gauntlet.tsdb.Labels;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The ruler head's append log: one file of length-prefixed, CRC32C-checked records — series (ref, labels) and sample
 * batches (ref, timestamp, value bits) — each batch written before the append returns (fsynced at checkpoints and on
 * close). A torn or corrupt tail (a crash mid-write) is cut off on replay. A checkpoint rewrites the file with what the head still holds, atomically.
 */
final class WriteAheadLog implements AutoCloseable {
    private static final byte SERIES = 1;
    private static final byte SAMPLES = 2;
    private static final String FILE = "log";

    record SeriesRecord(int ref, Labels labels) {
    }

    interface Visitor {
        void series(int ref, Labels labels);

        void sample(int ref, long t, double v);
    }

    private final Path directory;
    private FileChannel channel;

    WriteAheadLog(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        Files.deleteIfExists(directory.resolve(FILE + ".tmp"));
        this.channel = FileChannel.open(directory.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Reads every intact record in order; cuts the file at the first torn or corrupt one. */
    void replay(Visitor visitor) throws IOException {
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate(8);
        long position = 0;
        while (position + 8 <= size) {
            header.clear();
            channel.read(header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length <= 0 || position + 8 + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            channel.read(payload, position + 8);
            CRC32C check = new CRC32C();
            check.update(payload.array(), 0, length);
            if ((int) check.getValue() != crc) {
                break;
            }
            payload.flip();
            decode(payload, visitor);
            position += 8 + length;
        }
        if (position < size) {
            System.getLogger(WriteAheadLog.class.getName()).log(System.Logger.Level.WARNING,
                    "write-ahead log {0}: dropping a torn tail of {1} bytes (a write a crash cut short)", directory, size - position);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
    }

    private static void decode(ByteBuffer payload, Visitor visitor) throws IOException {
        byte type = payload.get();
        int count = payload.getInt();
        if (type == SERIES) {
            for (int i = 0; i < count; i++) {
                int ref = payload.getInt();
                int pairs = payload.getShort() & 0xffff;
                String[] nameValues = new String[pairs * 2];
                for (int j = 0; j < nameValues.length; j++) {
                    byte[] bytes = new byte[payload.getInt()];
                    payload.get(bytes);
                    nameValues[j] = new String(bytes, StandardCharsets.UTF_8);
                }
                visitor.series(ref, Labels.of(nameValues));
            }
        } else if (type == SAMPLES) {
            for (int i = 0; i < count; i++) {
                visitor.sample(payload.getInt(), payload.getLong(), Double.longBitsToDouble(payload.getLong()));
            }
        } else {
            throw new EOFException("unknown record type " + type);
        }
    }

    /**
     * Appends new series and a sample batch with one write: once it returns the batch is in the operating system's
     * hands, so a killed process loses nothing (as Prometheus' WAL, it is fsynced at checkpoints and on close, not per
     * batch: an fsync per rule cost more than the rule's query).
     */
    synchronized void append(List<SeriesRecord> series, int[] refs, long[] times, long[] bits) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!series.isEmpty()) {
            writeRecord(bytes, seriesPayload(series));
        }
        writeRecord(bytes, samplesPayload(refs, times, bits, refs.length));
        ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Replaces the log with the given series and samples ([ref, t, bits] each), atomically. */
    synchronized void checkpoint(List<SeriesRecord> series, List<long[]> samples) throws IOException {
        Path temporary = directory.resolve(FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (!series.isEmpty()) {
                writeRecord(bytes, seriesPayload(series));
            }
            int[] refs = new int[samples.size()];
            long[] times = new long[samples.size()];
            long[] bits = new long[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                refs[i] = (int) samples.get(i)[0];
                times[i] = samples.get(i)[1];
                bits[i] = samples.get(i)[2];
            }
            if (!samples.isEmpty()) {
                writeRecord(bytes, samplesPayload(refs, times, bits, refs.length));
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        channel.close();
        Files.move(temporary, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
        channel = FileChannel.open(directory.resolve(FILE), StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.position(channel.size());
    }

    private static byte[] seriesPayload(List<SeriesRecord> series) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(SERIES);
        out.writeInt(series.size());
        for (SeriesRecord record : series) {
            out.writeInt(record.ref());
            out.writeShort(record.labels().size());
            for (int i = 0; i < record.labels().size(); i++) {
                writeString(out, record.labels().name(i));
                writeString(out, record.labels().value(i));
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] samplesPayload(int[] refs, long[] times, long[] bits, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 + 4 + count * 20);
        buffer.put(SAMPLES).putInt(count);
        for (int i = 0; i < count; i++) {
            buffer.putInt(refs[i]).putLong(times[i]).putLong(bits[i]);
        }
        return buffer.array();
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void writeRecord(ByteArrayOutputStream out, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer header = ByteBuffer.allocate(8).putInt(payload.length).putInt((int) crc.getValue());
        out.write(header.array(), 0, 8);
        out.write(payload, 0, payload.length);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.force(false);
        channel.close();
    }
}
