package io.gauntlet.prometheus;

import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * The frames of a Prometheus {@code STREAMED_XOR_CHUNKS} remote read answer, read one at a time as they arrive: each
 * is {@code uvarint length}, a big-endian CRC32C of the message and a {@code prometheus.ChunkedReadResponse}, checked
 * before it is handed out in place in the read buffer (no copy). Any read error, damaged frame or truncation is
 * an error naming the Prometheus; the answer is never silently cut short.
 */
final class ChunkedReadFrames implements AutoCloseable {
    /** Prometheus' own default limit for one frame ({@code config.DefaultChunkedReadLimit}). */
    static final int DEFAULT_MAX_FRAME_BYTES = 50_000_000;
    private static final int RECORDED_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_FRAME_HEADER = 14; // uvarint length (at most 10 bytes) and CRC32C

    private final FrameBuffer body;
    private final AutoCloseable connection;
    private final String prometheus;
    private final int maxFrameBytes;
    private final CRC32C crc = new CRC32C();
    private int consumed; // bytes of the frame handed out last, skipped at the next read
    private int offset;
    private int size;
    private long frames;
    private long seriesCount; // series parts read from frames so far
    private boolean closed;
    private boolean released;

    /** @param connection closed when the frames are closed or the answer was read to its end (then it may be reused) */
    ChunkedReadFrames(FrameBuffer body, AutoCloseable connection, String prometheus, int maxFrameBytes) {
        this.body = body;
        this.connection = connection;
        this.prometheus = prometheus;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** A stream holding only the frames (read until its end), e.g. a recorded answer. */
    static ChunkedReadFrames of(InputStream in, String prometheus, int maxFrameBytes) {
        return new ChunkedReadFrames(FrameBuffer.of(in, RECORDED_BUFFER_BYTES), in, prometheus, maxFrameBytes);
    }

    /**
     * Reads and checks the next frame: its message is then {@link #array()} from {@link #offset()}, {@link #size()}
     * bytes, until the next call. False at a clean end of the answer (or once closed).
     */
    boolean next() throws StorageException {
        if (closed) {
            return false;
        }
        try {
            body.skip(consumed);
            consumed = 0;
            if (!body.fill(1)) {
                release();
                return false;
            }
            body.fill(MAX_FRAME_HEADER); // fewer at the end of the answer
            byte[] bytes = body.array();
            int at = body.position();
            int ready = body.available();
            long length = 0;
            int header = 0;
            for (int shift = 0;; shift += 7) {
                if (header >= ready) {
                    throw damaged("ends inside a frame length");
                }
                if (shift >= 64) {
                    throw damaged("has a frame length longer than 10 bytes");
                }
                int b = bytes[at + header++] & 0xFF;
                length |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (length > maxFrameBytes) {
                throw damaged("announces a frame of " + length + " bytes, above the limit of " + maxFrameBytes);
            }
            if (ready < header + 4) {
                throw damaged("ends inside a frame header");
            }
            int expectedCrc = ((bytes[at + header] & 0xFF) << 24) | ((bytes[at + header + 1] & 0xFF) << 16)
                    | ((bytes[at + header + 2] & 0xFF) << 8) | (bytes[at + header + 3] & 0xFF);
            header += 4;
            int frameSize = (int) length;
            if (!body.fill(header + frameSize)) {
                throw damaged("ends inside a frame (" + (body.available() - header) + " of " + frameSize + " bytes)");
            }
            bytes = body.array(); // the fill may have moved the bytes
            at = body.position() + header;
            crc.reset();
            crc.update(bytes, at, frameSize);
            if ((int) crc.getValue() != expectedCrc) {
                throw damaged("has a frame whose CRC32C does not match");
            }
            frames++;
            offset = at;
            size = frameSize;
            consumed = header + frameSize;
            return true;
        } catch (IOException e) {
            if (closed) {
                return false;
            }
            throw new StoreUnavailableException("prometheus " + prometheus + ": remote read answer broke off after " + seriesCount
                    + " series (" + frames + " frames): " + e.getMessage(), e);
        }
    }

    byte[] array() {
        return body.array();
    }

    int offset() {
        return offset;
    }

    int size() {
        return size;
    }

    /** Counts the series parts of the frame handed out last, for error messages. */
    void countSeries(int parts) {
        seriesCount += parts;
    }

    /** A damaged answer; after a 200 Prometheus writes its error as text into the body, so show what arrived. */
    StorageException damaged(String what) {
        int shown = Math.min(body.available(), 96);
        byte[] bytes = body.array();
        StringBuilder text = new StringBuilder(shown);
        for (int i = 0; i < shown; i++) {
            char c = (char) (bytes[body.position() + i] & 0xFF);
            text.append(c >= 0x20 && c < 0x7F ? c : '.');
        }
        return new StorageException("prometheus " + prometheus + ": remote read answer " + what + " after " + seriesCount
                + " series (frame " + (frames + 1) + " begins '" + text + "': an error Prometheus wrote after streaming began, or a damaged connection)");
    }

    /** A frame whose CRC matched but whose message does not parse. */
    StorageException invalid(String problem, Exception cause) {
        return new StorageException("prometheus " + prometheus + ": remote read frame " + frames + " is not a valid ChunkedReadResponse: "
                + problem, cause);
    }

    /** Aborts the HTTP answer unless it was read to its end: an unfinished body closes its connection. */
    @Override
    public void close() {
        closed = true;
        release();
    }

    /** Releases the connection; right at the answer's end it goes back for reuse (a caller may never close). */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            connection.close();
        } catch (Exception ignored) {
            // the connection is gone either way
        }
    }
}
