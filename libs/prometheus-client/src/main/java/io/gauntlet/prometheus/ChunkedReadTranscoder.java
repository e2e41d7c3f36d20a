package io.gauntlet.prometheus;

import io.gauntlet.store.EncodedSeriesStream;
import io.gauntlet.store.SeriesEncoder;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * A {@code STREAMED_XOR_CHUNKS} remote read answer handed to a {@link SeriesEncoder} frame by frame, straight from
 * the read buffer: each {@code ChunkedReadResponse} is walked by hand and its label and chunk bytes passed on
 * where they lie, so no labels, strings or chunk arrays are built for it. The encoder joins a series split over
 * consecutive frames, applies the external labels and writes the storepb Series. Frame checks and errors are those
 * of {@link ChunkedReadSeriesSet}.
 */
final class ChunkedReadTranscoder implements EncodedSeriesStream {
    // ChunkedReadResponse{chunked_series=1 ChunkedSeries{labels=1 Label{name=1,value=2}, chunks=2 Chunk{min_time_ms=1,
    // max_time_ms=2, type=3, data=4}}, query_index=2}
    private static final int CHUNKED_SERIES_TAG = 1 << 3 | 2;
    private static final int QUERY_INDEX_TAG = 2 << 3;
    private static final int LABEL_TAG = 1 << 3 | 2;
    private static final int CHUNK_TAG = 2 << 3 | 2;
    private static final int NAME_TAG = 1 << 3 | 2;
    private static final int VALUE_TAG = 2 << 3 | 2;
    private static final int MIN_TIME_TAG = 1 << 3;
    private static final int MAX_TIME_TAG = 2 << 3;
    private static final int TYPE_TAG = 3 << 3;
    private static final int DATA_TAG = 4 << 3 | 2;

    private final ChunkedReadFrames frames;
    private final String prometheus;
    private final byte[][] strippedLabels;
    private final SeriesEncoder encoder;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private int position; // the walk's cursor in the frame

    /** A frame whose message does not parse. */
    private static final class InvalidMessage extends Exception {
        InvalidMessage(String message) {
            super(message, null, false, false);
        }
    }

    /** @param strippedLabels the external label names Prometheus adds to every series; left out (the adapter re-applies its own) */
    ChunkedReadTranscoder(ChunkedReadFrames frames, String prometheus, Set<String> strippedLabels, SeriesEncoder encoder) {
        this.frames = frames;
        this.prometheus = prometheus;
        this.strippedLabels = strippedLabels.stream().map(name -> name.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.encoder = encoder;
    }

    @Override
    public boolean advance() throws StorageException {
        if (!frames.next()) {
            return false;
        }
        byte[] bytes = frames.array();
        int end = frames.offset() + frames.size();
        int series = 0;
        try {
            position = frames.offset();
            while (position < end) {
                int tag = readTag(bytes, end);
                switch (tag) {
                    case CHUNKED_SERIES_TAG -> {
                        int seriesEnd = readLength(bytes, end);
                        series(bytes, position, seriesEnd);
                        position = seriesEnd;
                        series++;
                    }
                    case QUERY_INDEX_TAG -> {
                        long queryIndex = readVarint(bytes, end);
                        if (queryIndex != 0) {
                            throw frames.damaged("answers query " + queryIndex + " but only query 0 was asked");
                        }
                    }
                    default -> skipField(tag, bytes, end);
                }
            }
        } catch (InvalidMessage e) {
            throw frames.invalid(e.getMessage(), e);
        }
        frames.countSeries(series);
        return true;
    }

    /** One ChunkedSeries: its labels first (wherever they are in the message), then its chunks. */
    private void series(byte[] bytes, int from, int to) throws StorageException, InvalidMessage {
        encoder.beginSeries();
        position = from;
        while (position < to) {
            int tag = readTag(bytes, to);
            if (tag != LABEL_TAG) {
                skipField(tag, bytes, to);
                continue;
            }
            int labelEnd = readLength(bytes, to);
            int nameOffset = position;
            int nameLength = 0;
            int valueOffset = position;
            int valueLength = 0;
            while (position < labelEnd) {
                int labelTag = readTag(bytes, labelEnd);
                if (labelTag == NAME_TAG) {
                    nameLength = readLength(bytes, labelEnd) - position;
                    nameOffset = position;
                    position += nameLength;
                } else if (labelTag == VALUE_TAG) {
                    valueLength = readLength(bytes, labelEnd) - position;
                    valueOffset = position;
                    position += valueLength;
                } else {
                    skipField(labelTag, bytes, labelEnd);
                }
            }
            requireUtf8(bytes, nameOffset, nameLength);
            requireUtf8(bytes, valueOffset, valueLength);
            if (!isStripped(bytes, nameOffset, nameLength)) {
                encoder.label(bytes, nameOffset, nameLength, valueOffset, valueLength);
            }
        }
        position = from;
        while (position < to) {
            int tag = readTag(bytes, to);
            if (tag == CHUNK_TAG) {
                int chunkEnd = readLength(bytes, to);
                chunk(bytes, chunkEnd);
                position = chunkEnd;
            } else {
                skipField(tag, bytes, to);
            }
        }
    }

    private void chunk(byte[] bytes, int end) throws StorageException, InvalidMessage {
        long minTime = 0;
        long maxTime = 0;
        long type = 0;
        int dataOffset = -1;
        int dataLength = 0;
        while (position < end) {
            int tag = readTag(bytes, end);
            switch (tag) {
                case MIN_TIME_TAG -> minTime = readVarint(bytes, end);
                case MAX_TIME_TAG -> maxTime = readVarint(bytes, end);
                case TYPE_TAG -> type = (int) readVarint(bytes, end);
                case DATA_TAG -> {
                    int dataEnd = readLength(bytes, end);
                    dataOffset = position;
                    dataLength = dataEnd - position;
                    position = dataEnd;
                }
                default -> skipField(tag, bytes, end);
            }
        }
        // prompb chunk types are the TSDB encoding bytes (XOR 1, histogram 2, float histogram 3)
        if (type < 1 || type > 3) {
            throw new UnsupportedEncodingException("prometheus " + prometheus + " sent a remote read chunk of unknown type " + type);
        }
        if (dataOffset < 0 || dataLength < 2) {
            throw new StorageException("prometheus " + prometheus + ": remote read chunk [" + minTime + ", " + maxTime + "] has "
                    + (dataOffset < 0 ? "no" : dataLength + " bytes of") + " data");
        }
        encoder.chunk(minTime, maxTime, (int) type, bytes, dataOffset, dataLength);
    }

    private boolean isStripped(byte[] bytes, int offset, int length) {
        for (byte[] name : strippedLabels) {
            if (name.length == length && Arrays.equals(name, 0, length, bytes, offset, offset + length)) {
                return true;
            }
        }
        return false;
    }

    /** Label strings must be UTF-8, as protobuf requires of string fields (the decoded path checks the same). */
    private void requireUtf8(byte[] bytes, int offset, int length) throws InvalidMessage {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                try {
                    utf8.reset().decode(ByteBuffer.wrap(bytes, offset, length));
                } catch (CharacterCodingException e) {
                    throw new InvalidMessage("Protocol message had invalid UTF-8.");
                }
                return;
            }
        }
    }

    private int readTag(byte[] bytes, int end) throws InvalidMessage {
        long tag = readVarint(bytes, end);
        if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) {
            throw new InvalidMessage("Protocol message contained an invalid tag " + tag + ".");
        }
        return (int) tag;
    }

    private long readVarint(byte[] bytes, int end) throws InvalidMessage {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw new InvalidMessage("While parsing a protocol message, the input ended unexpectedly in the middle of a field.");
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new InvalidMessage("CodedInputStream encountered a malformed varint.");
    }

    /** Reads a length and returns where the field's bytes end (they start at the cursor). */
    private int readLength(byte[] bytes, int end) throws InvalidMessage {
        long length = readVarint(bytes, end);
        if (length < 0 || length > end - position) {
            throw new InvalidMessage("While parsing a protocol message, the input ended unexpectedly in the middle of a field.");
        }
        return position + (int) length;
    }

    private void skipField(int tag, byte[] bytes, int end) throws InvalidMessage {
        int skip = switch (tag & 7) {
            case 0 -> {
                readVarint(bytes, end);
                yield 0;
            }
            case 1 -> 8;
            case 2 -> readLength(bytes, end) - position;
            case 5 -> 4;
            default -> throw new InvalidMessage("Protocol message tag had invalid wire type " + (tag & 7) + ".");
        };
        if (skip > end - position) {
            throw new InvalidMessage("While parsing a protocol message, the input ended unexpectedly in the middle of a field.");
        }
        position += skip;
    }

    @Override
    public void close() {
        frames.close();
    }
}
