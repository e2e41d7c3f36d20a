package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The varbit integers of histogram chunks decode to what was written, through the short-code table and the long
 * path alike: every value around each width's bounds, and random runs mixing all widths in the bucket loop and in
 * reads of three.
 */
class VarbitDecodingTest {
    private static List<Long> values() {
        List<Long> values = new ArrayList<>();
        for (long v = -300; v <= 300; v++) {
            values.add(v);
        }
        for (int bits : new int[] {9, 12, 18, 25, 56, 63}) {
            long bound = 1L << (bits - 1);
            for (long d = -2; d <= 2; d++) {
                values.add(bound + d);
                values.add(-bound + d);
            }
        }
        values.add(Long.MAX_VALUE);
        values.add(Long.MIN_VALUE);
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        return values;
    }

    private static BitStreamReader reader(List<Long> values) {
        BitStreamWriter writer = new BitStreamWriter(0);
        for (long v : values) {
            writer.writeVarbitInt(v);
        }
        byte[] bytes = writer.toByteArray();
        BitStreamReader reader = new BitStreamReader();
        reader.reset(MemorySegment.ofArray(bytes), 0, bytes.length, 0);
        return reader;
    }

    @Test
    void scalarReadsGiveBackEveryValue() {
        List<Long> values = values();
        BitStreamReader reader = reader(values);
        for (long v : values) {
            assertThat(reader.readVarbitInt()).isEqualTo(v);
        }
        assertThat(reader.overran()).isFalse();
    }

    @Test
    void readsOfThreeGiveBackEveryValue() {
        List<Long> values = new ArrayList<>(values());
        // every order of short, 13- and 17-bit and longer codes in a group of three
        long[] kinds = {0, 4, -31, 200, -2000, 100_000, Long.MIN_VALUE};
        for (long a : kinds) {
            for (long b : kinds) {
                for (long c : kinds) {
                    values.addAll(List.of(a, b, c));
                }
            }
        }
        values = values.subList(0, values.size() - values.size() % 3);
        BitStreamReader reader = reader(values);
        long[] three = new long[3];
        for (int i = 0; i < values.size(); i += 3) {
            reader.readThreeVarbitInts(three);
            assertThat(three).as("values %d to %d", i, i + 2).containsExactly(values.get(i), values.get(i + 1), values.get(i + 2));
        }
        assertThat(reader.overran()).isFalse();
    }

    @Test
    void theBucketLoopGivesBackEveryValue() {
        List<Long> values = values();
        BitStreamReader reader = reader(values);
        long[] buckets = new long[values.size()];
        long[] deltas = new long[values.size()];
        double[] counts = new double[values.size()];
        reader.readBucketDeltasOfDeltas(buckets, deltas, counts);
        assertThat(reader.overran()).isFalse();
        long absolute = 0;
        for (int i = 0; i < values.size(); i++) {
            assertThat(deltas[i]).as("bucket %d", i).isEqualTo(values.get(i));
            assertThat(buckets[i]).isEqualTo(values.get(i));
            absolute += values.get(i);
            assertThat(counts[i]).isEqualTo((double) absolute);
        }
    }
}
