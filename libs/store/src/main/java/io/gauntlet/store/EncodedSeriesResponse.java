package io.gauntlet.store;

import com.google.protobuf.CodedOutputStream;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.SeriesBatch;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.XxHash64;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A {@code storepb.SeriesResponse} serialised straight from labels and chunk bytes, without building protobuf
 * messages, and handed to gRPC as its bytes (the {@link #MARSHALLER} drains them into the frame). The bytes are the
 * ones the generated {@link SeriesResponse} would write: same fields, order and omitted defaults.
 *
 * <p>A series is encoded once as field 1 with its length ({@link #seriesField}): that is a whole
 * {@code SeriesResponse{series}} and, unchanged, one element of {@code SeriesBatch.series} (also field 1).
 */
public final class EncodedSeriesResponse {
    private static final int SERIES_FIELD = SeriesResponse.SERIES_FIELD_NUMBER;
    private static final int BATCH_FIELD = SeriesResponse.BATCH_FIELD_NUMBER;

    /** Writes pre-serialised responses; parses into bytes too, for clients reading without decoding. */
    public static final MethodDescriptor.Marshaller<EncodedSeriesResponse> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedSeriesResponse value) {
            return value.new Stream();
        }

        @Override
        public EncodedSeriesResponse parse(InputStream stream) {
            try (stream) {
                return new EncodedSeriesResponse(new byte[][] {stream.readAllBytes()}, new byte[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final byte[][] parts; // the batch field's tag and length first, if any
    private final int[] starts;
    private final int[] ends;
    private final int length;
    private final Runnable whenRead; // told once gRPC has read the bytes, or null

    private EncodedSeriesResponse(byte[][] parts, byte[] head) {
        this.parts = new byte[parts.length + 1][];
        this.starts = new int[parts.length + 1];
        this.ends = new int[parts.length + 1];
        this.parts[0] = head;
        this.ends[0] = head.length;
        int total = head.length;
        for (int i = 0; i < parts.length; i++) {
            this.parts[i + 1] = parts[i];
            this.ends[i + 1] = parts[i].length;
            total += parts[i].length;
        }
        this.length = total;
        this.whenRead = null;
    }

    private EncodedSeriesResponse(byte[] head, byte[] array, int from, int to, Runnable whenRead) {
        this.parts = new byte[][] {head, array};
        this.starts = new int[] {0, from};
        this.ends = new int[] {head.length, to};
        this.length = head.length + to - from;
        this.whenRead = whenRead;
    }

    /**
     * {@code SeriesResponse{series}} ({@code batch} false: one {@link #seriesField} in the range) or
     * {@code SeriesResponse{batch{series...}}} (several) straight from a range of a buffer that the writer keeps
     * unchanged until {@code whenRead} runs (gRPC's transport reads a message during {@code onNext}; an in-process
     * one later).
     */
    static EncodedSeriesResponse ofRange(byte[] array, int from, int to, boolean batch, Runnable whenRead) {
        return new EncodedSeriesResponse(batch ? batchHead(to - from) : new byte[0], array, from, to, whenRead);
    }

    /** {@code SeriesResponse{series}} from {@link #seriesField}'s bytes. */
    public static EncodedSeriesResponse series(byte[] seriesField) {
        return new EncodedSeriesResponse(new byte[][] {seriesField}, new byte[0]);
    }

    /** {@code SeriesResponse{batch{series...}}} from {@link #seriesField}s' bytes. */
    public static EncodedSeriesResponse batch(List<byte[]> seriesFields) {
        int inner = 0;
        for (byte[] field : seriesFields) {
            inner += field.length;
        }
        return new EncodedSeriesResponse(seriesFields.toArray(new byte[0][]), batchHead(inner));
    }

    /** The batch field's tag and length. */
    private static byte[] batchHead(int inner) {
        byte[] head = new byte[CodedOutputStream.computeTagSize(BATCH_FIELD) + CodedOutputStream.computeUInt32SizeNoTag(inner)];
        CodedOutputStream out = CodedOutputStream.newInstance(head);
        try {
            out.writeTag(BATCH_FIELD, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(inner);
        } catch (IOException e) {
            throw new IllegalStateException("a sized array was too small", e);
        }
        return head;
    }

    /** Any other response (warnings, hints), serialised by protobuf. */
    public static EncodedSeriesResponse of(SeriesResponse response) {
        return new EncodedSeriesResponse(new byte[][] {response.toByteArray()}, new byte[0]);
    }

    /** The serialised size. */
    public int length() {
        return length;
    }

    /** All bytes in one array. */
    public byte[] toByteArray() {
        byte[] out = new byte[length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], starts[i], out, at, ends[i] - starts[i]);
            at += ends[i] - starts[i];
        }
        return out;
    }

    /**
     * A series as field 1 (tag, length, {@code storepb.Series}): labels as given, chunks as {@link StoreWire#toWire}
     * maps them (raw chunks written here, aggregate chunks through their messages), with xxhash64 when asked.
     */
    public static byte[] seriesField(Labels labels, List<EncodedChunk> chunks, boolean withHash)
            throws CorruptedDataException, UnsupportedEncodingException {
        int seriesSize = 0;
        for (int i = 0; i < labels.size(); i++) {
            seriesSize += lengthDelimitedSize(Series.LABELS_FIELD_NUMBER, labelSize(labels.name(i), labels.value(i)));
        }
        int[] chunkSizes = new int[chunks.size()];
        long[] hashes = withHash ? new long[chunks.size()] : null;
        AggrChunk[] aggregates = null;
        for (int c = 0; c < chunks.size(); c++) {
            EncodedChunk chunk = chunks.get(c);
            int size;
            if (chunk.encoding() == StoreWire.TSDB_AGGREGATE) {
                if (aggregates == null) {
                    aggregates = new AggrChunk[chunks.size()];
                }
                aggregates[c] = StoreWire.toWire(chunk, withHash);
                size = aggregates[c].getSerializedSize();
            } else {
                if (withHash) {
                    hashes[c] = XxHash64.hash(chunk.data());
                }
                size = timeSize(AggrChunk.MIN_TIME_FIELD_NUMBER, chunk.minTime()) + timeSize(AggrChunk.MAX_TIME_FIELD_NUMBER, chunk.maxTime())
                        + lengthDelimitedSize(AggrChunk.RAW_FIELD_NUMBER, rawChunkSize(chunk, withHash ? hashes[c] : 0));
            }
            chunkSizes[c] = size;
            seriesSize += lengthDelimitedSize(Series.CHUNKS_FIELD_NUMBER, size);
        }
        byte[] bytes = new byte[lengthDelimitedSize(SERIES_FIELD, seriesSize)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeTag(SERIES_FIELD, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(seriesSize);
            for (int i = 0; i < labels.size(); i++) {
                String name = labels.name(i);
                String value = labels.value(i);
                out.writeTag(Series.LABELS_FIELD_NUMBER, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(labelSize(name, value));
                if (!name.isEmpty()) {
                    out.writeString(Label.NAME_FIELD_NUMBER, name);
                }
                if (!value.isEmpty()) {
                    out.writeString(Label.VALUE_FIELD_NUMBER, value);
                }
            }
            for (int c = 0; c < chunks.size(); c++) {
                EncodedChunk chunk = chunks.get(c);
                out.writeTag(Series.CHUNKS_FIELD_NUMBER, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(chunkSizes[c]);
                if (aggregates != null && aggregates[c] != null) {
                    aggregates[c].writeTo(out);
                    continue;
                }
                if (chunk.minTime() != 0) {
                    out.writeInt64(AggrChunk.MIN_TIME_FIELD_NUMBER, chunk.minTime());
                }
                if (chunk.maxTime() != 0) {
                    out.writeInt64(AggrChunk.MAX_TIME_FIELD_NUMBER, chunk.maxTime());
                }
                long hash = withHash ? hashes[c] : 0;
                out.writeTag(AggrChunk.RAW_FIELD_NUMBER, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(rawChunkSize(chunk, hash));
                int type = StoreWire.wireChunkType(chunk.encoding());
                if (type != 0) {
                    out.writeEnum(Chunk.TYPE_FIELD_NUMBER, type);
                }
                if (chunk.data().length > 0) {
                    out.writeByteArray(Chunk.DATA_FIELD_NUMBER, chunk.data());
                }
                if (hash != 0) {
                    out.writeUInt64(Chunk.HASH_FIELD_NUMBER, hash);
                }
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("series encoding did not fit its computed size", e);
        }
        return bytes;
    }

    private static int labelSize(String name, String value) {
        return (name.isEmpty() ? 0 : CodedOutputStream.computeStringSize(Label.NAME_FIELD_NUMBER, name))
                + (value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(Label.VALUE_FIELD_NUMBER, value));
    }

    private static int rawChunkSize(EncodedChunk chunk, long hash) throws UnsupportedEncodingException {
        int type = StoreWire.wireChunkType(chunk.encoding());
        return (type == 0 ? 0 : CodedOutputStream.computeEnumSize(Chunk.TYPE_FIELD_NUMBER, type))
                + (chunk.data().length == 0 ? 0 : CodedOutputStream.computeByteArraySize(Chunk.DATA_FIELD_NUMBER, chunk.data()))
                + (hash == 0 ? 0 : CodedOutputStream.computeUInt64Size(Chunk.HASH_FIELD_NUMBER, hash));
    }

    private static int timeSize(int field, long millis) {
        return millis == 0 ? 0 : CodedOutputStream.computeInt64Size(field, millis);
    }

    private static int lengthDelimitedSize(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    /** The bytes as gRPC reads a message: its length known up front, drained into the frame part by part. */
    private final class Stream extends InputStream implements Drainable, KnownLength {
        private int part;
        private int offset = starts[0];
        private int remaining = length;
        private boolean told;

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int written = remaining;
            while (part < parts.length) {
                target.write(parts[part], offset, ends[part] - offset);
                nextPart();
            }
            remaining = 0;
            readToEnd();
            return written;
        }

        @Override
        public int available() {
            return remaining;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] target, int targetOffset, int wanted) {
            if (wanted == 0) {
                return 0;
            }
            while (part < parts.length) {
                if (offset < ends[part]) {
                    int n = Math.min(wanted, ends[part] - offset);
                    System.arraycopy(parts[part], offset, target, targetOffset, n);
                    offset += n;
                    remaining -= n;
                    return n;
                }
                nextPart();
            }
            readToEnd();
            return -1;
        }

        private void readToEnd() {
            if (whenRead != null && !told) {
                told = true;
                whenRead.run();
            }
        }

        private void nextPart() {
            part++;
            offset = part < parts.length ? starts[part] : 0;
        }
    }
}
