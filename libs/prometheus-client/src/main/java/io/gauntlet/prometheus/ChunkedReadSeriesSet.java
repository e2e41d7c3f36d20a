package io.gauntlet.prometheus;

import com.google.protobuf.CodedInputStream;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
    private static final int PROMPB_CHUNK_UNKNOWN = 0;

    private final ChunkedReadFrames frames;
    private final String prometheus;
    private final Set<String> strippedLabels;
    private final ArrayDeque<ParsedSeries> frameSeries = new ArrayDeque<>();
    private ParsedSeries lookahead;
    private boolean streamDone;
    private boolean closed;
    private Labels labels;
    private List<EncodedChunk> chunks = List.of();

    private record ParsedSeries(Labels labels, List<EncodedChunk> chunks) {
    }

    /** A stream holding only the frames (read until its end), e.g. a recorded answer. */
    ChunkedReadSeriesSet(InputStream in, String prometheus, Set<String> strippedLabels, int maxFrameBytes) {
        this(ChunkedReadFrames.of(in, prometheus, maxFrameBytes), prometheus, strippedLabels);
    }

    ChunkedReadSeriesSet(ChunkedReadFrames frames, String prometheus, Set<String> strippedLabels) {
        this.frames = frames;
        this.prometheus = prometheus;
        this.strippedLabels = Set.copyOf(strippedLabels);
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
        closed = true;
        frames.close();
    }

    private ParsedSeries readSeries() throws StorageException {
        while (frameSeries.isEmpty()) {
            if (streamDone || !frames.next()) {
                streamDone = true;
                return null;
            }
            parseFrame(frames.array(), frames.offset(), frames.size());
            frames.countSeries(frameSeries.size());
        }
        return frameSeries.poll();
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
                            throw frames.damaged("answers query " + queryIndex + " but only query 0 was asked");
                        }
                    }
                    default -> input.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw frames.invalid(e.getMessage(), e);
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
