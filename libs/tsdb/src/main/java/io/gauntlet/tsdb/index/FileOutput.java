package io.gauntlet.tsdb.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Buffered sequential writes to a file channel that track the file position and can checksum (CRC-32C) a
 * run of written bytes as they pass, so sections need not be read back for their CRC.
 */
final class FileOutput implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long flushed; // file position of buffer[0]
    private final CRC32C crc = new CRC32C();
    private int crcFrom = -1; // buffer index from which bytes still need checksumming; -1 when off

    FileOutput(FileChannel channel, int bufferSize) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(bufferSize);
    }

    long position() {
        return flushed + buffer.position();
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = Math.min(length, buffer.remaining());
            buffer.put(bytes, offset, n);
            offset += n;
            length -= n;
        }
    }

    void write(ByteSink sink) throws IOException {
        write(sink.array(), 0, sink.size());
    }

    void writeBe32(long value) throws IOException {
        if (buffer.remaining() < 4) {
            flush();
        }
        buffer.putInt((int) value);
    }

    void writeBe64(long value) throws IOException {
        if (buffer.remaining() < 8) {
            flush();
        }
        buffer.putLong(value);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void pad(int alignment) throws IOException {
        int padding = (int) ((alignment - position() % alignment) % alignment);
        write(new byte[padding], 0, padding);
    }

    void startChecksum() {
        crc.reset();
        crcFrom = buffer.position();
    }

    /** CRC-32C of everything written since {@link #startChecksum()}; stops checksumming. */
    long endChecksum() {
        updateChecksum();
        crcFrom = -1;
        return crc.getValue();
    }

    private void updateChecksum() {
        if (crcFrom >= 0) {
            crc.update(buffer.array(), crcFrom, buffer.position() - crcFrom);
            crcFrom = buffer.position();
        }
    }

    void flush() throws IOException {
        updateChecksum();
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushed += channel.write(buffer, flushed);
        }
        buffer.clear();
        if (crcFrom >= 0) {
            crcFrom = 0;
        }
    }

    /** Overwrites 4 bytes already written (e.g. a length known only afterwards). */
    void patchBe32(long position, long value) throws IOException {
        flush();
        ByteBuffer patch = ByteBuffer.allocate(4).putInt(0, (int) value);
        while (patch.hasRemaining()) {
            channel.write(patch, position + patch.position());
        }
    }

    /** Appends the whole content of another channel. */
    void append(FileChannel source) throws IOException {
        flush();
        source.position(0);
        long size = source.size();
        for (long done = 0; done < size; ) {
            long n = channel.transferFrom(source, flushed + done, size - done); // advances the source
            if (n <= 0) {
                throw new IOException("copy of the postings stopped after " + done + " of " + size + " bytes");
            }
            done += n;
        }
        flushed += size;
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
