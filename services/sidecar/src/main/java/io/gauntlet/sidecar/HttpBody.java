package io.gauntlet.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 response read into one growable array: first the head's lines, then the body, de-chunked in place so
 * that a reader finds the body's bytes contiguous in {@link #array()} from {@link #position()} and can parse them
 * there without copying them out. Bytes are read from the socket in large reads (the array's free space).
 *
 * <p>The body ends by {@code Transfer-Encoding: chunked} (its last chunk and trailers read), by {@code Content-Length},
 * or, without either, when the peer closes. A chunked or counted body cut short by the peer is an {@link IOException}.
 */
final class HttpBody {
    /** How the body's end is known. */
    enum Framing { UNTIL_CLOSE, CONTENT_LENGTH, CHUNKED }

    private static final int MIN_READ = 16 * 1024; // never ask the socket for less than this
    private static final int MAX_LINE = 16 * 1024; // head lines and chunk size lines

    private enum ChunkState { SIZE, DATA, DATA_END, TRAILERS }

    private final InputStream in;
    private byte[] buf;
    private int pos; // next unread body byte
    private int limit; // end of the decoded body bytes
    private int raw; // next byte read from the socket but not decoded yet (limit <= raw <= end)
    private int end; // end of the bytes read from the socket
    private boolean eof;
    private boolean bodyStarted;
    private Framing framing = Framing.UNTIL_CLOSE;
    private ChunkState chunkState = ChunkState.SIZE;
    private long left; // CONTENT_LENGTH: body bytes not decoded yet; CHUNKED: bytes left of the current chunk
    private boolean finished; // the whole body has been decoded

    /** @param buffer the array to read into (its content is not kept; it grows into a new one for a larger frame) */
    HttpBody(InputStream in, byte[] buffer) {
        this.in = in;
        this.buf = buffer;
    }

    /** A body that is all of {@code in} until its end (no head). */
    static HttpBody untilClose(InputStream in, int capacity) {
        HttpBody body = new HttpBody(in, new byte[capacity]);
        body.framing = Framing.UNTIL_CLOSE;
        body.bodyStarted = true;
        return body;
    }

    /** The next head line without its CRLF, or null when the peer closed before sending any byte of it. */
    String readLine() throws IOException {
        while (true) {
            for (int i = raw; i < end; i++) {
                if (buf[i] == '\n') {
                    int stop = i > raw && buf[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buf, raw, stop - raw, StandardCharsets.ISO_8859_1);
                    raw = i + 1;
                    pos = raw;
                    limit = raw;
                    return line;
                }
            }
            if (end - raw > MAX_LINE) {
                throw new IOException("response head line longer than " + MAX_LINE + " bytes");
            }
            if (eof) {
                if (end == raw) {
                    return null;
                }
                throw new IOException("connection closed inside the response head");
            }
            read();
        }
    }

    /**
     * Starts the body after the head; {@code contentLength} only for {@link Framing#CONTENT_LENGTH}. Body bytes that
     * arrived with the head are decoded right away (a small answer may be all there is).
     */
    void begin(Framing framing, long contentLength) throws IOException {
        this.framing = framing;
        this.bodyStarted = true;
        this.pos = raw;
        this.limit = raw;
        this.left = framing == Framing.CONTENT_LENGTH ? contentLength : 0;
        this.chunkState = ChunkState.SIZE;
        this.finished = framing == Framing.CONTENT_LENGTH && contentLength == 0;
        decode();
    }

    byte[] array() {
        return buf;
    }

    int position() {
        return pos;
    }

    /** Body bytes ready in {@link #array()} from {@link #position()}. */
    int available() {
        return limit - pos;
    }

    void skip(int bytes) {
        if (bytes > limit - pos) {
            throw new IllegalArgumentException("skipping " + bytes + " body bytes, only " + (limit - pos) + " are read");
        }
        pos += bytes;
    }

    /** Whether the whole body was decoded (for chunked: its last chunk and trailers too), so the connection can be reused. */
    boolean finished() {
        return finished;
    }

    /**
     * Reads until at least {@code bytes} body bytes are ready (the array may be replaced: ask for it again).
     * False when the body ends before; then {@link #available()} holds what is left.
     */
    boolean fill(int bytes) throws IOException {
        while (limit - pos < bytes) {
            if (finished) {
                return false;
            }
            if (eof) {
                throw new IOException("connection closed inside the HTTP body (" + (framing == Framing.CHUNKED
                        ? "chunked, no last chunk" : left + " bytes of the Content-Length missing") + ")");
            }
            if (buf.length - pos < bytes + MIN_READ) {
                makeRoom(bytes);
            }
            read();
            decode();
        }
        return true;
    }

    /** The rest of the body. */
    byte[] readAll() throws IOException {
        while (fill(limit - pos + MIN_READ)) {
            // keep reading until the body ends
        }
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, limit);
        pos = limit;
        return out;
    }

    /** Moves the unread bytes to the front, and grows the array when they and a large read would not fit. */
    private void makeRoom(int bytes) {
        int needed = Math.max(bytes, end - pos) + MIN_READ;
        byte[] target = needed > buf.length ? new byte[Math.max(needed, buf.length * 2)] : buf;
        if (pos > 0 || target != buf) {
            System.arraycopy(buf, pos, target, 0, end - pos);
            raw -= pos;
            limit -= pos;
            end -= pos;
            pos = 0;
            buf = target;
        }
    }

    private void read() throws IOException {
        if (end == buf.length) {
            if (bodyStarted) {
                makeRoom(limit - pos);
            } else {
                // a head line: keep only its unread part
                pos = raw;
                limit = raw;
                makeRoom(end - raw);
            }
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    /** Turns the bytes read since the last call into body bytes, dropping chunk framing. */
    private void decode() throws IOException {
        while (!finished) {
            switch (framing) {
                case UNTIL_CLOSE -> {
                    take(end - raw);
                    finished = eof;
                    return;
                }
                case CONTENT_LENGTH -> {
                    left -= take((int) Math.min(left, end - raw));
                    finished = left == 0;
                    return;
                }
                case CHUNKED -> {
                    if (!decodeChunked()) {
                        return;
                    }
                }
            }
        }
    }

    /** One step of chunked decoding; false when it needs more bytes. */
    private boolean decodeChunked() throws IOException {
        switch (chunkState) {
            case DATA -> {
                left -= take((int) Math.min(left, end - raw));
                if (left > 0) {
                    return false;
                }
                chunkState = ChunkState.DATA_END;
                return true;
            }
            case DATA_END -> {
                if (end - raw < 2) {
                    return false;
                }
                if (buf[raw] != '\r' || buf[raw + 1] != '\n') {
                    throw new IOException("chunked body: no CRLF after a chunk's data");
                }
                raw += 2;
                chunkState = ChunkState.SIZE;
                return true;
            }
            case SIZE -> {
                int lineEnd = lineEnd();
                if (lineEnd < 0) {
                    return false;
                }
                long size = 0;
                int digits = 0;
                for (int i = raw; i < lineEnd; i++) {
                    int digit = Character.digit(buf[i], 16);
                    if (digit < 0) {
                        if (buf[i] == ';' || buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r') {
                            break; // extensions, ignored
                        }
                        throw new IOException("chunked body: bad chunk size line '" + text(raw, lineEnd) + "'");
                    }
                    if (++digits > 15) {
                        throw new IOException("chunked body: chunk size too large");
                    }
                    size = size * 16 + digit;
                }
                if (digits == 0) {
                    throw new IOException("chunked body: bad chunk size line '" + text(raw, lineEnd) + "'");
                }
                raw = lineEnd + 1;
                left = size;
                chunkState = size == 0 ? ChunkState.TRAILERS : ChunkState.DATA;
                return true;
            }
            case TRAILERS -> {
                int lineEnd = lineEnd();
                if (lineEnd < 0) {
                    return false;
                }
                boolean empty = lineEnd == raw || (lineEnd == raw + 1 && buf[raw] == '\r');
                raw = lineEnd + 1;
                finished = empty;
                return true;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Index of the '\n' ending the line at {@code raw}, or -1 when it has not arrived yet. */
    private int lineEnd() throws IOException {
        for (int i = raw; i < end; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        if (end - raw > MAX_LINE) {
            throw new IOException("chunked body: a size or trailer line longer than " + MAX_LINE + " bytes");
        }
        return -1;
    }

    /** Moves {@code n} raw bytes to the end of the body bytes (a no-op while no chunk framing was dropped). */
    private int take(int n) {
        if (raw != limit) {
            System.arraycopy(buf, raw, buf, limit, n);
        }
        raw += n;
        limit += n;
        return n;
    }

    private String text(int from, int to) {
        return new String(buf, from, Math.min(to - from, 40), StandardCharsets.ISO_8859_1).strip();
    }
}
