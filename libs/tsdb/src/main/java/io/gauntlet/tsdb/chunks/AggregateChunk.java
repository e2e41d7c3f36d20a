package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * A Thanos downsampled chunk (encoding 0xFF): for count, sum, min, max and counter in that order, {@code uvarint len}
 * (0 = aggregate absent), then the sub-chunk's encoding byte and {@code len} bytes of data. Decoding keeps views into
 * the original segment.
 */
public final class AggregateChunk {
    private static final int TYPES = AggregateType.values().length;

    private final MemorySegment data;
    private final ChunkOrigin origin;
    private final long[] offsets = new long[TYPES];
    private final long[] lengths = new long[TYPES];
    private final int[] encodings = new int[TYPES];

    private AggregateChunk(MemorySegment data, ChunkOrigin origin) {
        this.data = data;
        this.origin = origin;
    }

    /** One aggregate's sub-chunk: its TSDB encoding byte (XOR, or float histogram for native histograms) and data. */
    public record Part(int encoding, byte[] data) {
        public static Part xor(byte[] data) {
            return new Part(ChunkEncoding.XOR.code(), data);
        }
    }

    /** Encodes XOR sub-chunks (e.g. {@link XorChunkAppender#toByteArray()}); absent keys are absent aggregates. */
    public static byte[] encode(Map<AggregateType, byte[]> xorChunks) {
        Map<AggregateType, Part> parts = new java.util.EnumMap<>(AggregateType.class);
        xorChunks.forEach((type, data) -> parts.put(type, Part.xor(data)));
        return encodeParts(parts);
    }

    /**
     * Encodes sub-chunks each with its own encoding, as Thanos writes downsampled native histograms (count XOR, sum
     * and counter float histograms); absent keys are absent aggregates.
     */
    public static byte[] encodeParts(Map<AggregateType, Part> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (AggregateType type : AggregateType.values()) {
            Part part = parts.get(type);
            if (part == null) {
                out.write(0);
                continue;
            }
            byte[] chunk = part.data();
            if (chunk.length == 0) {
                throw new IllegalArgumentException(type + " sub-chunk is empty; leave it out to mark it absent");
            }
            long length = chunk.length;
            while ((length & ~0x7FL) != 0) {
                out.write((int) ((length & 0x7F) | 0x80));
                length >>>= 7;
            }
            out.write((int) length);
            out.write(part.encoding());
            out.write(chunk, 0, chunk.length);
        }
        return out.toByteArray();
    }

    public static AggregateChunk decode(byte[] data) throws CorruptedDataException {
        return decode(MemorySegment.ofArray(data), ChunkOrigin.unknown());
    }

    /** Parses the sub-chunk table; data that ends in the middle of an entry is corrupted. */
    public static AggregateChunk decode(MemorySegment data, ChunkOrigin origin) throws CorruptedDataException {
        AggregateChunk chunk = new AggregateChunk(data, origin);
        long size = data.byteSize();
        long position = 0;
        for (int i = 0; i < TYPES; i++) {
            chunk.encodings[i] = -1;
            if (position == size) {
                continue; // trailing aggregates left out entirely count as absent
            }
            long length = 0;
            for (int shift = 0; ; shift += 7) {
                if (position == size || shift > 63) {
                    throw origin.corrupted("aggregate chunk: " + AggregateType.values()[i] + " length field is truncated");
                }
                int b = data.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
                length |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
            }
            if (length == 0) {
                continue;
            }
            if (length < 0 || length + 1 > size - position) {
                throw origin.corrupted("aggregate chunk: " + AggregateType.values()[i] + " sub-chunk of " + length
                        + " bytes runs past the end of the " + size + "-byte chunk");
            }
            chunk.encodings[i] = data.get(ValueLayout.JAVA_BYTE, position) & 0xFF;
            chunk.offsets[i] = position + 1;
            chunk.lengths[i] = length;
            position += 1 + length;
        }
        return chunk;
    }

    public boolean has(AggregateType type) {
        return encodings[type.ordinal()] >= 0;
    }

    /** The encoding byte of a present aggregate. */
    public int encodingCode(AggregateType type) {
        requirePresent(type);
        return encodings[type.ordinal()];
    }

    /** View of a present aggregate's data. */
    public MemorySegment data(AggregateType type) {
        requirePresent(type);
        return data.asSlice(offsets[type.ordinal()], lengths[type.ordinal()]);
    }

    public byte[] toByteArray(AggregateType type) {
        return data(type).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A present aggregate with its own encoding, copied. */
    public Part part(AggregateType type) {
        return new Part(encodingCode(type), toByteArray(type));
    }

    /** Samples of a present aggregate of any sample encoding (floats or histograms) through one of {@code decoders}. */
    public io.gauntlet.tsdb.storage.SampleIterator decode(AggregateType type, ChunkDecoders decoders) throws StorageException {
        requirePresent(type);
        int code = encodings[type.ordinal()];
        if (!ChunkEncoding.isKnown(code)) {
            throw new UnsupportedEncodingException("aggregate " + type + " has unknown chunk encoding " + code);
        }
        return decoders.open(ChunkEncoding.ofCode(code), data, offsets[type.ordinal()], lengths[type.ordinal()], origin);
    }

    /** Samples of a present XOR aggregate, reusing {@code reuse} when given. */
    public XorSampleIterator samples(AggregateType type, XorSampleIterator reuse) throws StorageException {
        requirePresent(type);
        int code = encodings[type.ordinal()];
        if (!ChunkEncoding.isKnown(code)) {
            throw new UnsupportedEncodingException("aggregate " + type + " has unknown chunk encoding " + code);
        }
        ChunkEncoding.ofCode(code).requireFloatSamples();
        XorSampleIterator iterator = reuse == null ? new XorSampleIterator() : reuse;
        return iterator.reset(data, offsets[type.ordinal()], lengths[type.ordinal()], origin);
    }

    private void requirePresent(AggregateType type) {
        if (!has(type)) {
            throw new IllegalStateException("aggregate " + type + " is absent from this downsampled chunk; check has() first");
        }
    }
}
