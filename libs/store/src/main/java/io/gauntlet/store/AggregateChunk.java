package io.gauntlet.store;

import io.gauntlet.tsdb.CorruptedDataException;
import java.io.ByteArrayOutputStream;

/**
 * The Thanos downsampled chunk (TSDB encoding byte 0xFF): for each aggregate in the order count, sum, min, max,
 * counter a {@code uvarint length}, and when the length is not 0 one encoding byte and that many data bytes.
 * A missing aggregate has {@code encodings[i] == -1} and a null data array.
 */
public record AggregateChunk(int[] encodings, byte[][] data) {
    public static final int ENCODING = 0xFF;
    public static final int COUNT = 0;
    public static final int SUM = 1;
    public static final int MIN = 2;
    public static final int MAX = 3;
    public static final int COUNTER = 4;
    private static final int AGGREGATES = 5;

    public AggregateChunk {
        if (encodings.length != AGGREGATES || data.length != AGGREGATES) {
            throw new IllegalArgumentException("an aggregate chunk has exactly 5 aggregates");
        }
    }

    public boolean has(int aggregate) {
        return data[aggregate] != null;
    }

    /** @throws CorruptedDataException when the bytes are not a well-formed aggregate chunk */
    public static AggregateChunk decode(byte[] bytes) throws CorruptedDataException {
        int[] encodings = new int[AGGREGATES];
        byte[][] data = new byte[AGGREGATES][];
        int p = 0;
        for (int i = 0; i < AGGREGATES; i++) {
            long length = 0;
            int shift = 0;
            while (true) {
                if (p >= bytes.length) {
                    throw corrupted(p, "truncated length of aggregate " + i);
                }
                int b = bytes[p++] & 0xFF;
                length |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
                shift += 7;
                if (shift > 35) {
                    throw corrupted(p, "length of aggregate " + i + " overflows");
                }
            }
            if (length == 0) {
                encodings[i] = -1;
                continue;
            }
            if (length > bytes.length - p - 1) {
                throw corrupted(p, "aggregate " + i + " claims " + length + " bytes, only " + Math.max(0, bytes.length - p - 1) + " left");
            }
            encodings[i] = bytes[p++] & 0xFF;
            data[i] = java.util.Arrays.copyOfRange(bytes, p, p + (int) length);
            p += (int) length;
        }
        return new AggregateChunk(encodings, data);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < AGGREGATES; i++) {
            if (data[i] == null) {
                out.write(0);
                continue;
            }
            long length = data[i].length;
            while (length >= 0x80) {
                out.write((int) (length & 0x7F) | 0x80);
                length >>>= 7;
            }
            out.write((int) length);
            out.write(encodings[i]);
            out.writeBytes(data[i]);
        }
        return out.toByteArray();
    }

    private static CorruptedDataException corrupted(int offset, String problem) {
        return new CorruptedDataException("", "aggregate chunk", offset, problem);
    }
}
