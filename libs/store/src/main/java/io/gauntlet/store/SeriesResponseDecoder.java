package io.gauntlet.store;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The response marshaller of one {@code thanos.Store/Series} call: reads each {@code storepb.SeriesResponse} straight
 * from the gRPC message bytes into {@link Labels} and {@link EncodedChunk}s, without building protobuf messages.
 * Single series, batches ({@code response_batch_size}), warnings and hints as protobuf would read them (unknown
 * fields skipped, last oneof case wins, repeated embedded messages merged); malformed bytes become a
 * {@link Decoded#error()} the reader throws, since an exception here would reach the reader only as a bare CANCELLED.
 *
 * <p>gRPC calls {@link #parse} for one call's messages one after another, never concurrently: the read buffer and the
 * {@link LabelStringTable} are per call and reused from message to message.
 */
final class SeriesResponseDecoder implements MethodDescriptor.Marshaller<SeriesResponseDecoder.Decoded> {
    // tags (field number << 3 | wire type) of the fields read; any other tag is skipped
    private static final int RESPONSE_SERIES = 1 << 3 | 2;
    private static final int RESPONSE_WARNING = 2 << 3 | 2;
    private static final int RESPONSE_HINTS = 3 << 3 | 2;
    private static final int RESPONSE_BATCH = 4 << 3 | 2;
    private static final int BATCH_SERIES = 1 << 3 | 2;
    private static final int SERIES_LABEL = 1 << 3 | 2;
    private static final int SERIES_CHUNK = 2 << 3 | 2;
    private static final int LABEL_NAME = 1 << 3 | 2;
    private static final int LABEL_VALUE = 2 << 3 | 2;
    private static final int AGGR_MIN_TIME = 1 << 3;
    private static final int AGGR_MAX_TIME = 2 << 3;
    private static final int AGGR_RAW = 3 << 3 | 2;
    private static final int CHUNK_TYPE = 1 << 3;
    private static final int CHUNK_DATA = 2 << 3 | 2;
    private static final int MAX_GROUP_DEPTH = 100; // protobuf's default recursion limit
    private static final int KEPT_BUFFER_BYTES = 1 << 20; // larger messages get an array of their own
    /** storepb AggrChunk fields 4..8, in field order. */
    private static final AggregateType[] AGGREGATE_FIELDS = {AggregateType.COUNT, AggregateType.SUM, AggregateType.MIN,
            AggregateType.MAX, AggregateType.COUNTER};
    private static final byte[] EMPTY = new byte[0];

    /** One received message: its series (none for warnings and hints), a warning, or why it could not be read. */
    record Decoded(List<DecodedSeries> series, String warning, StoreException error) {
    }

    record DecodedSeries(Labels labels, List<EncodedChunk> chunks) {
    }

    private final String store;
    private final LabelStringTable strings;
    private byte[] buffer = new byte[8192];
    private String[] labelPairs = new String[32]; // the series being read: its label names and values
    // the message being read: its bytes and their count
    private byte[] bytes;
    private int limit;
    private int position;
    // the chunk being read, per chunk field (raw, count, sum, min, max, counter): storepb type, data offset, length
    private final int[] types = new int[6];
    private final int[] dataOffsets = new int[6];
    private final int[] dataLengths = new int[6];

    /** @param store the store's name, for error messages */
    SeriesResponseDecoder(String store) {
        this(store, LabelStringTable.DEFAULT_ENTRIES);
    }

    /** @param sharedStrings how many distinct label strings to share across the call's series (0: none, for comparison) */
    SeriesResponseDecoder(String store, int sharedStrings) {
        this.store = store;
        this.strings = new LabelStringTable(sharedStrings);
    }

    @Override
    public InputStream stream(Decoded value) {
        throw new UnsupportedOperationException("the Series response decoder only reads answers");
    }

    @Override
    public Decoded parse(InputStream stream) {
        try (stream) {
            read(stream);
        } catch (IOException e) {
            return new Decoded(List.of(), null, new StoreException(store, "INVALID_DATA", "cannot read a Series response: " + e, e));
        }
        try {
            return decodeResponse();
        } catch (MalformedMessage e) {
            return new Decoded(List.of(), null, new StoreException(store, "INVALID_DATA", "malformed Series response (" + limit
                    + " bytes): " + e.getMessage(), null));
        } catch (UnsupportedEncodingException e) {
            return new Decoded(List.of(), null, new StoreException(store, "INVALID_DATA", e.getMessage(), e));
        }
    }

    /** The message's bytes into {@link #bytes}: gRPC's own streams know their length, decompressing ones do not. */
    private void read(InputStream stream) throws IOException {
        if (stream instanceof KnownLength) {
            int length = stream.available();
            byte[] target = length <= buffer.length ? buffer : new byte[length];
            if (length > buffer.length && length <= KEPT_BUFFER_BYTES) {
                buffer = target;
            }
            if (stream.readNBytes(target, 0, length) != length || stream.read() >= 0) {
                throw new IOException("the message's length differs from the " + length + " bytes its stream announced");
            }
            bytes = target;
            limit = length;
        } else {
            bytes = stream.readAllBytes();
            limit = bytes.length;
        }
        position = 0;
    }

    private Decoded decodeResponse() throws MalformedMessage, UnsupportedEncodingException {
        int resultCase = 0;
        int[] ranges = new int[2]; // offset, end of each occurrence of the current case's field
        int rangeCount = 0;
        String warning = null;
        while (position < limit) {
            int tag = readTag(limit);
            if (tag == RESPONSE_SERIES || tag == RESPONSE_BATCH || tag == RESPONSE_WARNING || tag == RESPONSE_HINTS) {
                int length = readLength();
                if (tag != resultCase) {
                    resultCase = tag; // a oneof: another case clears what came before
                    rangeCount = 0;
                }
                if (tag == RESPONSE_WARNING) {
                    warning = readString(position, length);
                }
                if (rangeCount * 2 == ranges.length) {
                    ranges = Arrays.copyOf(ranges, ranges.length * 2);
                }
                ranges[2 * rangeCount] = position;
                ranges[2 * rangeCount + 1] = position + length;
                rangeCount++;
                position += length;
            } else {
                skipField(tag, 0);
            }
        }
        return switch (resultCase) {
            case RESPONSE_SERIES -> new Decoded(List.of(rangeCount == 1 ? decodeSeries(ranges[0], ranges[1]) : decodeMergedSeries(ranges, rangeCount)),
                    null, null);
            case RESPONSE_BATCH -> new Decoded(decodeBatch(ranges, rangeCount), null, null);
            case RESPONSE_WARNING -> new Decoded(List.of(), warning, null);
            default -> new Decoded(List.of(), null, null); // hints, or an empty message: nothing a reader needs
        };
    }

    /** A series sent in several pieces (protobuf merges them; Series has only repeated fields, so that is concatenation). */
    private DecodedSeries decodeMergedSeries(int[] ranges, int rangeCount) throws MalformedMessage, UnsupportedEncodingException {
        int total = 0;
        for (int i = 0; i < rangeCount; i++) {
            total += ranges[2 * i + 1] - ranges[2 * i];
        }
        byte[] joined = new byte[total];
        int at = 0;
        for (int i = 0; i < rangeCount; i++) {
            System.arraycopy(bytes, ranges[2 * i], joined, at, ranges[2 * i + 1] - ranges[2 * i]);
            at += ranges[2 * i + 1] - ranges[2 * i];
        }
        bytes = joined;
        limit = total;
        return decodeSeries(0, total);
    }

    private List<DecodedSeries> decodeBatch(int[] ranges, int rangeCount) throws MalformedMessage, UnsupportedEncodingException {
        List<DecodedSeries> out = new ArrayList<>();
        for (int i = 0; i < rangeCount; i++) {
            position = ranges[2 * i];
            int end = ranges[2 * i + 1];
            while (position < end) {
                int tag = readTag(end);
                if (tag == BATCH_SERIES) {
                    int length = readLength(end);
                    out.add(decodeSeries(position, position + length)); // leaves position at the series' end
                } else {
                    skipField(tag, 0, end);
                }
            }
        }
        return out;
    }

    /** {@code storepb.Series} in {@code [offset, end)}: labels first, so that a chunk error can name the series. */
    private DecodedSeries decodeSeries(int offset, int end) throws MalformedMessage, UnsupportedEncodingException {
        String[] pairs = labelPairs;
        int count = 0;
        int chunkCount = 0;
        position = offset;
        while (position < end) {
            int tag = readTag(end);
            if (tag == SERIES_LABEL) {
                int length = readLength(end);
                if (count * 2 == pairs.length) {
                    pairs = labelPairs = Arrays.copyOf(pairs, pairs.length * 2);
                }
                decodeLabel(position + length, pairs, count++);
            } else {
                if (tag == SERIES_CHUNK) {
                    chunkCount++;
                }
                skipField(tag, 0, end);
            }
        }
        Labels labels = labels(pairs, count);
        List<EncodedChunk> chunks = new ArrayList<>(chunkCount);
        position = offset;
        while (position < end) {
            int tag = readTag(end);
            if (tag == SERIES_CHUNK) {
                int length = readLength(end);
                int chunkEnd = position + length;
                try {
                    chunks.add(decodeChunk(chunkEnd));
                } catch (UnsupportedEncodingException e) {
                    throw new UnsupportedEncodingException(e.getMessage() + " in series " + labels);
                }
                position = chunkEnd;
            } else {
                skipField(tag, 0, end);
            }
        }
        return new DecodedSeries(labels, chunks);
    }

    /** One {@code labelpb.Label} up to {@code end} into {@code pairs[2 * index]} and {@code [2 * index + 1]}. */
    private void decodeLabel(int end, String[] pairs, int index) throws MalformedMessage {
        String name = "";
        String value = "";
        while (position < end) {
            int tag = readTag(end);
            if (tag == LABEL_NAME || tag == LABEL_VALUE) {
                int length = readLength(end);
                String text = readString(position, length);
                position += length;
                if (tag == LABEL_NAME) {
                    name = text;
                } else {
                    value = text;
                }
            } else {
                skipField(tag, 0, end);
            }
        }
        pairs[2 * index] = name;
        pairs[2 * index + 1] = value;
    }

    /** As {@code Labels}: sorted, unique names and no empty values are wrapped as they are, anything else rebuilt. */
    private static Labels labels(String[] pairs, int count) {
        for (int i = 0; i < count; i++) {
            if (pairs[2 * i + 1].isEmpty() || (i > 0 && pairs[2 * i - 2].compareTo(pairs[2 * i]) >= 0)) {
                Labels.Builder builder = Labels.builder();
                for (int j = 0; j < count; j++) {
                    builder.set(pairs[2 * j], pairs[2 * j + 1]);
                }
                return builder.build();
            }
        }
        return Labels.ofSortedPairs(Arrays.copyOf(pairs, 2 * count));
    }

    /**
     * One {@code storepb.AggrChunk} up to {@code end}: a raw chunk as it is (bytes copied once), aggregate chunks
     * re-assembled into one 0xFF chunk. Repeated occurrences of a chunk field merge, field by field.
     */
    private EncodedChunk decodeChunk(int end) throws MalformedMessage, UnsupportedEncodingException {
        long minTime = 0;
        long maxTime = 0;
        int seen = 0; // bit per chunk field
        while (position < end) {
            int tag = readTag(end);
            if (tag == AGGR_MIN_TIME) {
                minTime = readVarint(end);
            } else if (tag == AGGR_MAX_TIME) {
                maxTime = readVarint(end);
            } else if ((tag & 7) == 2 && (tag >>> 3) >= 3 && (tag >>> 3) <= 8) {
                int part = (tag >>> 3) - 3;
                int length = readLength(end);
                if ((seen & 1 << part) == 0) {
                    seen |= 1 << part;
                    types[part] = 0;
                    dataLengths[part] = 0;
                }
                decodeChunkPart(position + length, part);
            } else {
                skipField(tag, 0, end);
            }
        }
        if ((seen & 1) != 0) {
            return new EncodedChunk(minTime, maxTime, StoreWire.tsdbEncoding(types[0]), copy(dataOffsets[0], dataLengths[0]));
        }
        Map<AggregateType, AggregateChunk.Part> parts = new EnumMap<>(AggregateType.class);
        for (int part = 1; part < 6; part++) {
            if ((seen & 1 << part) == 0) {
                continue;
            }
            AggregateType type = AGGREGATE_FIELDS[part - 1];
            if (types[part] < 0 || types[part] > 2 || dataLengths[part] == 0) {
                throw new UnsupportedEncodingException("downsampled " + type + " chunk must be non-empty XOR or histogram, got "
                        + chunkTypeName(types[part]) + " of " + dataLengths[part] + " bytes");
            }
            // each aggregate keeps its encoding: a native histogram's sum and counter are float histogram chunks
            parts.put(type, new AggregateChunk.Part(StoreWire.tsdbEncoding(types[part]), copy(dataOffsets[part], dataLengths[part])));
        }
        if (parts.isEmpty()) {
            throw new UnsupportedEncodingException("storepb chunk [" + minTime + ", " + maxTime + "] carries neither raw data nor aggregates");
        }
        return new EncodedChunk(minTime, maxTime, StoreWire.TSDB_AGGREGATE, AggregateChunk.encodeParts(parts));
    }

    private static String chunkTypeName(int type) {
        return switch (type) {
            case 0 -> "XOR";
            case 1 -> "HISTOGRAM";
            case 2 -> "FLOAT_HISTOGRAM";
            default -> "UNRECOGNIZED";
        };
    }

    /** One {@code storepb.Chunk}; the hash is not checked (nor did the generated path check it). */
    private void decodeChunkPart(int end, int part) throws MalformedMessage {
        while (position < end) {
            int tag = readTag(end);
            if (tag == CHUNK_TYPE) {
                types[part] = (int) readVarint(end);
            } else if (tag == CHUNK_DATA) {
                int length = readLength(end);
                dataOffsets[part] = position;
                dataLengths[part] = length;
                position += length;
            } else {
                skipField(tag, 0, end);
            }
        }
    }

    private byte[] copy(int offset, int length) {
        return length == 0 ? EMPTY : Arrays.copyOfRange(bytes, offset, offset + length);
    }

    private String readString(int offset, int length) throws MalformedMessage {
        try {
            return strings.read(bytes, offset, length);
        } catch (CharacterCodingException e) {
            throw new MalformedMessage("invalid UTF-8 in a string at byte " + offset);
        }
    }

    private int readTag(int end) throws MalformedMessage {
        int at = position;
        long tag = readVarint(end);
        if (tag >>> 3 == 0 || tag > 0xFFFF_FFFFL) {
            throw new MalformedMessage("invalid field tag " + tag + " at byte " + at);
        }
        return (int) tag;
    }

    private int readLength() throws MalformedMessage {
        return readLength(limit);
    }

    /** A length prefix, checked to fit before {@code end}. */
    private int readLength(int end) throws MalformedMessage {
        int at = position;
        long length = readVarint(end);
        if (length < 0 || length > end - position) {
            throw new MalformedMessage("field length " + length + " at byte " + at + " runs past its message's end at byte " + end);
        }
        return (int) length;
    }

    private long readVarint(int end) throws MalformedMessage {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw new MalformedMessage("truncated varint at byte " + position);
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new MalformedMessage("varint longer than 10 bytes at byte " + position);
    }

    private void skipField(int tag, int depth) throws MalformedMessage {
        skipField(tag, depth, limit);
    }

    /** Skips an unknown field of any wire type, groups included. */
    private void skipField(int tag, int depth, int end) throws MalformedMessage {
        int at = position;
        switch (tag & 7) {
            case 0 -> readVarint(end);
            case 1 -> skipBytes(8, end, at);
            case 2 -> skipBytes(readLength(end), end, at);
            case 3 -> {
                if (depth >= MAX_GROUP_DEPTH) {
                    throw new MalformedMessage("groups nested deeper than " + MAX_GROUP_DEPTH + " at byte " + at);
                }
                int endGroup = (tag & ~7) | 4;
                while (true) {
                    if (position >= end) {
                        throw new MalformedMessage("group started at byte " + at + " never ends");
                    }
                    int inner = readTag(end);
                    if (inner == endGroup) {
                        return;
                    }
                    skipField(inner, depth + 1, end);
                }
            }
            case 5 -> skipBytes(4, end, at);
            default -> throw new MalformedMessage("unexpected wire type " + (tag & 7) + " of field " + (tag >>> 3) + " at byte " + at);
        }
    }

    private void skipBytes(int count, int end, int at) throws MalformedMessage {
        if (count > end - position) {
            throw new MalformedMessage("field at byte " + at + " runs past its message's end at byte " + end);
        }
        position += count;
    }

    /** Bytes that are no protobuf message of the expected shape. */
    private static final class MalformedMessage extends Exception {
        MalformedMessage(String message) {
            super(message, null, false, false);
        }
    }
}
