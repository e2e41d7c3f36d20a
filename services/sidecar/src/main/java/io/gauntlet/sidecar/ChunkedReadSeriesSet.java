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

    private final InputStream in;
    private final String prometheus;
    private final Set<String> strippedLabels;
    private final int maxFrameBytes;
    private final CRC32C crc = new CRC32C();
    private final ArrayDeque<ParsedSeries> frameSeries = new ArrayDeque<>();
    private byte[] frame = new byte[64 * 1024];
    private final byte[] header = new byte[16]; // the bytes of the current frame header, for error messages
    private int headerLength;
    private long frames;
    private long seriesCount; // series parts read from frames so far
    private ParsedSeries lookahead;
    private boolean streamDone;
    private boolean closed;
    private Labels labels;
    private List<EncodedChunk> chunks = List.of();

    private record ParsedSeries(Labels labels, List<EncodedChunk> chunks) {
    }

    ChunkedReadSeriesSet(InputStream in, String prometheus, Set<String> strippedLabels, int maxFrameBytes) {
        this.in = in;
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

    /** Aborts the HTTP answer: closing the body releases the connection without reading the rest. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
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

    /** Reads and parses one frame; false at a clean end of the answer. */
    private boolean readFrame() throws StorageException {
        try {
            headerLength = 0;
            long length = readUvarint();
            if (length < 0) {
                return false;
            }
            if (length > maxFrameBytes) {
                throw damaged("announces a frame of " + length + " bytes, above the limit of " + maxFrameBytes);
            }
            int expectedCrc = 0;
            for (int i = 0; i < 4; i++) {
                int b = in.read();
                if (b < 0) {
                    throw damaged("ends inside a frame header");
                }
                remember(b);
                expectedCrc = (expectedCrc << 8) | b;
            }
            int size = (int) length;
            if (frame.length < size) {
                frame = new byte[Math.max(size, frame.length * 2)];
            }
            int read = in.readNBytes(frame, 0, size);
            if (read < size) {
                throw damaged("ends inside a frame (" + read + " of " + size + " bytes)", read);
            }
            crc.reset();
            crc.update(frame, 0, size);
            if ((int) crc.getValue() != expectedCrc) {
                throw damaged("has a frame whose CRC32C does not match", size);
            }
            frames++;
            parseFrame(size);
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

    private long readUvarint() throws IOException, StorageException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                if (shift == 0) {
                    return -1;
                }
                throw damaged("ends inside a frame length");
            }
            remember(b);
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw damaged("has a frame length longer than 10 bytes");
    }

    private void remember(int b) {
        if (headerLength < header.length) {
            header[headerLength++] = (byte) b;
        }
    }

    /** A damaged answer; after a 200 Prometheus writes its error as text into the body, so show what arrived. */
    private StorageException damaged(String what) {
        return damaged(what, 0);
    }

    private StorageException damaged(String what, int bodyBytes) {
        String seen = new String(header, 0, headerLength, StandardCharsets.ISO_8859_1)
                + new String(frame, 0, Math.min(bodyBytes, 80), StandardCharsets.ISO_8859_1);
        StringBuilder text = new StringBuilder();
        for (char c : seen.toCharArray()) {
            text.append(c >= 0x20 && c < 0x7F ? c : '.');
        }
        return new StorageException("prometheus " + prometheus + ": remote read answer " + what + " after " + seriesCount
                + " series (frame " + (frames + 1) + " begins '" + text + "': an error Prometheus wrote after streaming began, or a damaged connection)");
    }

    // ChunkedReadResponse{chunked_series=1 ChunkedSeries{labels=1 Label{name=1,value=2}, chunks=2 Chunk{min_time_ms=1,
    // max_time_ms=2, type=3, data=4}}, query_index=2}
    private void parseFrame(int size) throws StorageException {
        CodedInputStream input = CodedInputStream.newInstance(frame, 0, size);
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
