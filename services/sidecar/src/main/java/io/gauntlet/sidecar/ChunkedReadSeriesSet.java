package io.gauntlet.sidecar;

import com.google.protobuf.CodedInputStream;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A Prometheus {@code STREAMED_XOR_CHUNKS} remote read answer, read frame by frame as it arrives: each frame is
 * {@code uvarint length}, a big-endian CRC32C of the message and a {@code prometheus.ChunkedReadResponse}. Frames are
 * checked before use and parsed by hand straight into labels and chunk byte arrays (no intermediate messages).
 *
 * <p>Prometheus splits a series with many chunks over consecutive frames; those parts are joined back into one series.
 * The named external labels (which Prometheus adds to every series) are stripped: the StoreAPI adapter re-applies them.
 * Any read error, damaged frame or truncation fails {@link #next()}; the answer is never silently cut short.
 */
final class ChunkedReadSeriesSet implements ChunkSeriesSet, AutoCloseable {
    /** Prometheus' own default limit for one frame ({@code config.DefaultChunkedReadLimit}). */
    static final int DEFAULT_MAX_FRAME_BYTES = 50_000_000;
    private static final int PROMPB_CHUNK_UNKNOWN = 0;

    private static final int MAX_FRAME_HEADER = 14; // uvarint length (at most 10 bytes) and CRC32C
    /** Read buffer of a remote read answer: large reads, and most frames (one series each) parsed in place. */
    static final int READ_BUFFER_BYTES = 256 * 1024;

    private final HttpBody body;
    private final AutoCloseable connection;
    private final String prometheus;
    private final Set<String> strippedLabels;
    private final int maxFrameBytes;
    private final CRC32C crc = new CRC32C();
    private final ArrayDeque<ParsedSeries> frameSeries = new ArrayDeque<>();
    private long frames;
    private long seriesCount; // series parts read from frames so far
    private ParsedSeries lookahead;
    private boolean streamDone;
    private boolean closed;
    private boolean released;
    private Labels labels;
    private List<EncodedChunk> chunks = List.of();

    private record ParsedSeries(Labels labels, List<EncodedChunk> chunks) {
    }

    /** A stream holding only the frames (read until its end), e.g. the JDK HttpClient's body stream. */
    ChunkedReadSeriesSet(InputStream in, String prometheus, Set<String> strippedLabels, int maxFrameBytes) {
        this(HttpBody.untilClose(in, READ_BUFFER_BYTES), in, prometheus, strippedLabels, maxFrameBytes);
    }

    /** @param connection closed when the set is closed or the answer was read to its end (then it may be reused) */
    ChunkedReadSeriesSet(HttpBody body, AutoCloseable connection, String prometheus, Set<String> strippedLabels, int maxFrameBytes) {
        this.body = body;
        this.connection = connection;
        this.prometheus = prometheus;
        this.strippedLabels = Set.copyOf(strippedLabels);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public boolean next() throws StorageException {
        if (closed) {
            return false;
        }
        ParsedSeries first = lookahead != null ? lookahead : readSeries();
        lookahead = null;
        if (first == null) {
            labels = null;
            chunks = List.of();
            return false;
        }
        List<EncodedChunk> joined = first.chunks();
        while (true) {
            ParsedSeries following = readSeries();
            if (following == null || !following.labels().equals(first.labels())) {
                lookahead = following;
                break;
            }
            if (joined == first.chunks()) {
                joined = new ArrayList<>(joined);
            }
            joined.addAll(following.chunks());
        }
        if (joined != first.chunks()) {
            joined.sort((a, b) -> Long.compare(a.minTime(), b.minTime()));
        }
        labels = first.labels();
        chunks = joined;
        return true;
    }

    @Override
    public Labels labels() {
        return labels;
    }

    @Override
    public List<EncodedChunk> chunks() {
        return chunks;
    }

    /** Aborts the HTTP answer unless it was read to its end: an unfinished body closes its connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        finishBody();
    }

    /** Releases the connection; right at the answer's end it goes back for reuse (a caller may never close the set). */
    private void finishBody() {
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

    private ParsedSeries readSeries() throws StorageException {
        while (frameSeries.isEmpty()) {
            if (streamDone || !readFrame()) {
                streamDone = true;
                return null;
            }
        }
        return frameSeries.poll();
    }

    /** Reads and parses one frame straight out of the body's array; false at a clean end of the answer. */
    private boolean readFrame() throws StorageException {
        try {
            if (!body.fill(1)) {
                finishBody();
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
            int size = (int) length;
            if (!body.fill(header + size)) {
                throw damaged("ends inside a frame (" + (body.available() - header) + " of " + size + " bytes)");
            }
            bytes = body.array(); // the fill may have moved the bytes
            at = body.position() + header;
            crc.reset();
            crc.update(bytes, at, size);
            if ((int) crc.getValue() != expectedCrc) {
                throw damaged("has a frame whose CRC32C does not match");
            }
            frames++;
            parseFrame(bytes, at, size);
            body.skip(header + size);
            seriesCount += frameSeries.size();
            return true;
        } catch (IOException e) {
            if (closed) {
                return false;
            }
            throw new StoreUnavailableException("prometheus " + prometheus + ": remote read answer broke off after " + seriesCount
                    + " series (" + frames + " frames): " + e.getMessage(), e);
        }
    }

    /** A damaged answer; after a 200 Prometheus writes its error as text into the body, so show what arrived. */
    private StorageException damaged(String what) {
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

    // ChunkedReadResponse{chunked_series=1 ChunkedSeries{labels=1 Label{name=1,value=2}, chunks=2 Chunk{min_time_ms=1,
    // max_time_ms=2, type=3, data=4}}, query_index=2}
    private void parseFrame(byte[] bytes, int offset, int size) throws StorageException {
        CodedInputStream input = CodedInputStream.newInstance(bytes, offset, size);
        try {
            while (true) {
                int tag = input.readTag();
                if (tag == 0) {
                    return;
                }
                switch (tag) {
                    case (1 << 3) | 2 -> {
                        int limit = input.pushLimit(input.readRawVarint32());
                        frameSeries.add(parseSeries(input));
                        input.popLimit(limit);
                    }
                    case (2 << 3) -> {
                        long queryIndex = input.readInt64();
                        if (queryIndex != 0) {
                            throw damaged("answers query " + queryIndex + " but only query 0 was asked");
                        }
                    }
                    default -> input.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new StorageException("prometheus " + prometheus + ": remote read frame " + frames
                    + " is not a valid ChunkedReadResponse: " + e.getMessage(), e);
        }
    }

    private ParsedSeries parseSeries(CodedInputStream input) throws IOException, StorageException {
        List<String> pairs = new ArrayList<>(16);
        List<EncodedChunk> seriesChunks = new ArrayList<>(4);
        boolean sorted = true;
        while (true) {
            int tag = input.readTag();
            if (tag == 0) {
                break;
            }
            switch (tag) {
                case (1 << 3) | 2 -> {
                    int limit = input.pushLimit(input.readRawVarint32());
                    String name = "";
                    String value = "";
                    while (true) {
                        int labelTag = input.readTag();
                        if (labelTag == 0) {
                            break;
                        }
                        switch (labelTag) {
                            case (1 << 3) | 2 -> name = input.readStringRequireUtf8();
                            case (2 << 3) | 2 -> value = input.readStringRequireUtf8();
                            default -> input.skipField(labelTag);
                        }
                    }
                    input.popLimit(limit);
                    if (!strippedLabels.contains(name) && !value.isEmpty()) {
                        if (!pairs.isEmpty() && pairs.get(pairs.size() - 2).compareTo(name) >= 0) {
                            sorted = false;
                        }
                        pairs.add(name);
                        pairs.add(value);
                    }
                }
                case (2 << 3) | 2 -> {
                    int limit = input.pushLimit(input.readRawVarint32());
                    seriesChunks.add(parseChunk(input));
                    input.popLimit(limit);
                }
                default -> input.skipField(tag);
            }
        }
        Labels seriesLabels;
        if (sorted) {
            seriesLabels = Labels.ofSortedPairs(pairs.toArray(new String[0]));
        } else {
            Labels.Builder builder = Labels.builder();
            for (int i = 0; i < pairs.size(); i += 2) {
                builder.set(pairs.get(i), pairs.get(i + 1));
            }
            seriesLabels = builder.build();
        }
        return new ParsedSeries(seriesLabels, seriesChunks);
    }

    private EncodedChunk parseChunk(CodedInputStream input) throws IOException, StorageException {
        long minTime = 0;
        long maxTime = 0;
        int type = PROMPB_CHUNK_UNKNOWN;
        byte[] data = null;
        while (true) {
            int tag = input.readTag();
            if (tag == 0) {
                break;
            }
            switch (tag) {
                case (1 << 3) -> minTime = input.readInt64();
                case (2 << 3) -> maxTime = input.readInt64();
                case (3 << 3) -> type = input.readEnum();
                case (4 << 3) | 2 -> data = input.readByteArray();
                default -> input.skipField(tag);
            }
        }
        // prompb chunk types are the TSDB encoding bytes (XOR 1, histogram 2, float histogram 3); StoreWire maps them
        if (type < 1 || type > 3) {
            throw new UnsupportedEncodingException("prometheus " + prometheus + " sent a remote read chunk of unknown type " + type);
        }
        if (data == null || data.length < 2) {
            throw new StorageException("prometheus " + prometheus + ": remote read chunk [" + minTime + ", " + maxTime + "] has "
                    + (data == null ? "no" : data.length + " bytes of") + " data");
        }
        return new EncodedChunk(minTime, maxTime, type, data);
    }
}
