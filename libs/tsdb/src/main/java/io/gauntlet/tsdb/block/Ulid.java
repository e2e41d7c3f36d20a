package io.gauntlet.tsdb.block;

import java.security.SecureRandom;
import java.util.Random;

/**
 * A ULID: 48-bit millisecond timestamp and 80 bits of entropy, written as 26 characters of Crockford base32
 * (upper case, as oklog/ulid writes block names). {@link #generate()} is monotonic within a millisecond: a
 * second ULID in the same millisecond is the first plus one, so ULIDs made in sequence sort in sequence.
 */
public record Ulid(long high, long low) implements Comparable<Ulid> {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] VALUES = new byte[128];
    private static final long MAX_TIMESTAMP = (1L << 48) - 1;
    private static final SecureRandom ENTROPY = new SecureRandom();
    private static final Object MONOTONIC_LOCK = new Object();
    private static Ulid last; // guarded by MONOTONIC_LOCK

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
        }
    }

    /** @throws IllegalArgumentException unless {@link #isUlid(String)} */
    public static Ulid parse(String text) {
        if (text == null || text.length() != 26) {
            throw new IllegalArgumentException("not a ULID (26 characters of Crockford base32): " + text);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 26; i++) {
            char c = text.charAt(i);
            int value = c < 128 ? VALUES[c] : -1;
            if (value < 0 || i == 0 && value > 7) {
                throw new IllegalArgumentException("not a ULID (26 characters of Crockford base32, first at most 7): " + text);
            }
            high = high << 5 | low >>> 59;
            low = low << 5 | value;
        }
        return new Ulid(high, low);
    }

    /** Whether a name (such as a bucket directory) is a canonical ULID. */
    public static boolean isUlid(String text) {
        if (text == null || text.length() != 26 || text.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            char c = text.charAt(i);
            if (c >= 128 || VALUES[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /** A new ULID for now, monotonic with every other ULID this process generated. */
    public static Ulid generate() {
        return generate(System.currentTimeMillis());
    }

    /** A new ULID for the given time; within one millisecond each is the previous one plus one. */
    public static Ulid generate(long timestampMillis) {
        synchronized (MONOTONIC_LOCK) {
            Ulid next;
            if (last != null && last.timestamp() == timestampMillis) {
                long low = last.low + 1;
                long high = last.high + (low == 0 ? 1 : 0);
                if ((high >>> 16) != timestampMillis) {
                    throw new IllegalStateException("ULID entropy exhausted within millisecond " + timestampMillis);
                }
                next = new Ulid(high, low);
            } else {
                next = of(timestampMillis, ENTROPY);
            }
            last = next;
            return next;
        }
    }

    /** A ULID with random entropy from the given source (deterministic for a seeded {@link Random}). */
    public static Ulid of(long timestampMillis, Random entropy) {
        if (timestampMillis < 0 || timestampMillis > MAX_TIMESTAMP) {
            throw new IllegalArgumentException("ULID timestamp " + timestampMillis + " outside 0.." + MAX_TIMESTAMP);
        }
        return new Ulid(timestampMillis << 16 | (entropy.nextInt() & 0xFFFF), entropy.nextLong());
    }

    /** Milliseconds since the epoch. */
    public long timestamp() {
        return high >>> 16;
    }

    @Override
    public int compareTo(Ulid other) {
        int cmp = Long.compareUnsigned(high, other.high);
        return cmp != 0 ? cmp : Long.compareUnsigned(low, other.low);
    }

    @Override
    public String toString() {
        char[] out = new char[26];
        for (int i = 0; i < 26; i++) {
            int shift = 125 - 5 * i; // lowest bit of character i in the 128-bit value
            long bits;
            if (shift >= 64) {
                bits = high >>> (shift - 64);
            } else if (shift + 5 <= 64) {
                bits = low >>> shift;
            } else {
                bits = low >>> shift | high << (64 - shift);
            }
            out[i] = ALPHABET[(int) (bits & 31)];
        }
        return new String(out);
    }
}
