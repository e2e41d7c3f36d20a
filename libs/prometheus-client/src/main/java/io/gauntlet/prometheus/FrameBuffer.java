package io.gauntlet.prometheus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A body read into one growable array, so that a reader finds the bytes it asked for contiguous in {@link #array()}
 * from {@link #position()} and parses them there without copying them out. Bytes come from a {@link Source} in large
 * reads (the array's free space); the HTTP framing is the source's business.
 */
final class FrameBuffer {
    /** Where the bytes come from: blocks until at least {@code atLeast} bytes are copied or the body ends. */
    interface Source {
        /** @return the bytes copied (fewer than {@code atLeast} only at the body's end), or -1 when it has ended */
        int read(byte[] into, int offset, int length, int atLeast) throws IOException;
    }

    private static final int MIN_READ = 16 * 1024; // never ask the source for less than this

    private final Source source;
    private byte[] buf;
    private int pos; // next unread byte
    private int end; // end of the bytes read
    private boolean ended;

    /** @param buffer the array to read into (it grows into a new one for a larger frame) */
    FrameBuffer(Source source, byte[] buffer) {
        this.source = source;
        this.buf = buffer;
    }

    /** A buffer over a whole stream (no HTTP), e.g. a recorded answer. */
    static FrameBuffer of(InputStream in, int capacity) {
        return new FrameBuffer((into, offset, length, atLeast) -> {
            int total = 0;
            while (total < atLeast) {
                int n = in.read(into, offset + total, length - total);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
            }
            return total;
        }, new byte[capacity]);
    }

    byte[] array() {
        return buf;
    }

    int position() {
        return pos;
    }

    /** Bytes ready in {@link #array()} from {@link #position()}. */
    int available() {
        return end - pos;
    }

    void skip(int bytes) {
        if (bytes > end - pos) {
            throw new IllegalArgumentException("skipping " + bytes + " bytes, only " + (end - pos) + " are read");
        }
        pos += bytes;
    }

    /**
     * Reads until at least {@code bytes} bytes are ready (the array may be replaced: ask for it again). False when the
     * body ends before; then {@link #available()} holds what is left.
     */
    boolean fill(int bytes) throws IOException {
        while (end - pos < bytes) {
            if (ended) {
                return false;
            }
            if (buf.length - pos < bytes + MIN_READ) {
                makeRoom(bytes);
            }
            int n = source.read(buf, end, buf.length - end, bytes - (end - pos));
            if (n < 0) {
                ended = true;
            } else {
                end += n;
            }
        }
        return true;
    }

    /** The rest of the body. */
    byte[] readAll() throws IOException {
        while (fill(end - pos + MIN_READ)) {
            // keep reading until the body ends
        }
        byte[] out = Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return out;
    }

    /** Moves the unread bytes to the front, and grows the array when they and a large read would not fit. */
    private void makeRoom(int bytes) {
        int needed = Math.max(bytes, end - pos) + MIN_READ;
        byte[] target = needed > buf.length ? new byte[Math.max(needed, buf.length * 2)] : buf;
        if (pos > 0 || target != buf) {
            System.arraycopy(buf, pos, target, 0, end - pos);
            end -= pos;
            pos = 0;
            buf = target;
        }
    }
}
