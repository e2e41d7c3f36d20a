package io.gauntlet.tsdb;

/**
 * xxHash64 (seed 0 by default), the hash Prometheus' {@code labels.Hash()} uses through cespare/xxhash.
 * Little-endian reads, as the algorithm specifies.
 */
public final class XxHash64 {
    private static final long PRIME1 = 0x9E3779B185EBCA87L;
    private static final long PRIME2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME3 = 0x165667B19E3779F9L;
    private static final long PRIME4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME5 = 0x27D4EB2F165667C5L;

    private XxHash64() {
    }

    public static long hash(byte[] data) {
        return hash(data, 0, data.length, 0);
    }

    public static long hash(byte[] data, int offset, int length, long seed) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length + ") outside an array of " + data.length);
        }
        int position = offset;
        int end = offset + length;
        long hash;
        if (length >= 32) {
            long v1 = seed + PRIME1 + PRIME2;
            long v2 = seed + PRIME2;
            long v3 = seed;
            long v4 = seed - PRIME1;
            int limit = end - 32;
            do {
                v1 = round(v1, readLong(data, position));
                v2 = round(v2, readLong(data, position + 8));
                v3 = round(v3, readLong(data, position + 16));
                v4 = round(v4, readLong(data, position + 24));
                position += 32;
            } while (position <= limit);
            hash = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            hash = mergeRound(hash, v1);
            hash = mergeRound(hash, v2);
            hash = mergeRound(hash, v3);
            hash = mergeRound(hash, v4);
        } else {
            hash = seed + PRIME5;
        }
        hash += length;
        while (position + 8 <= end) {
            hash ^= round(0, readLong(data, position));
            hash = Long.rotateLeft(hash, 27) * PRIME1 + PRIME4;
            position += 8;
        }
        if (position + 4 <= end) {
            hash ^= (readInt(data, position) & 0xFFFFFFFFL) * PRIME1;
            hash = Long.rotateLeft(hash, 23) * PRIME2 + PRIME3;
            position += 4;
        }
        while (position < end) {
            hash ^= (data[position] & 0xFFL) * PRIME5;
            hash = Long.rotateLeft(hash, 11) * PRIME1;
            position++;
        }
        hash ^= hash >>> 33;
        hash *= PRIME2;
        hash ^= hash >>> 29;
        hash *= PRIME3;
        hash ^= hash >>> 32;
        return hash;
    }

    private static long round(long accumulator, long input) {
        accumulator += input * PRIME2;
        accumulator = Long.rotateLeft(accumulator, 31);
        return accumulator * PRIME1;
    }

    private static long mergeRound(long accumulator, long value) {
        accumulator ^= round(0, value);
        return accumulator * PRIME1 + PRIME4;
    }

    private static long readLong(byte[] data, int position) {
        return (data[position] & 0xFFL)
                | (data[position + 1] & 0xFFL) << 8
                | (data[position + 2] & 0xFFL) << 16
                | (data[position + 3] & 0xFFL) << 24
                | (data[position + 4] & 0xFFL) << 32
                | (data[position + 5] & 0xFFL) << 40
                | (data[position + 6] & 0xFFL) << 48
                | (data[position + 7] & 0xFFL) << 56;
    }

    private static int readInt(byte[] data, int position) {
        return (data[position] & 0xFF)
                | (data[position + 1] & 0xFF) << 8
                | (data[position + 2] & 0xFF) << 16
                | (data[position + 3] & 0xFF) << 24;
    }
}
