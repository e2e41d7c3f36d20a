package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.index.PromtoolBlocks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TombstonesTest {
    @TempDir
    Path work;

    @Test
    void emptyFileIsTheOnePrometheusWrites() throws Exception {
        PromtoolBlocks.Block block = PromtoolBlocks.create(work, 8, 5);
        byte[] prometheus = Files.readAllBytes(block.directory().resolve("tombstones"));
        Path ours = Files.createDirectories(work.resolve("ours"));
        Tombstones.writeEmpty(ours);
        assertThat(Files.readAllBytes(ours.resolve("tombstones"))).hasSize(9).isEqualTo(prometheus);
        assertThat(Tombstones.read(block.directory()).isEmpty()).isTrue();
        assertThat(Tombstones.read(work.resolve("no-such-block"))).isEqualTo(Tombstones.NONE);
    }

    @Test
    void roundTripsIntervalsPerSeries() throws Exception {
        Tombstones tombstones = Tombstones.NONE.with(3, 10, 20).with(3, 21, 30).with(3, 100, 200).with(1L << 40, Long.MIN_VALUE, -5);
        assertThat(tombstones.intervals(3)).hasToString("[[10, 30], [100, 200]]");
        assertThat(tombstones.total()).isEqualTo(3);
        tombstones.writeTo(work);
        Tombstones read = Tombstones.read(work);
        assertThat(read).isEqualTo(tombstones);
        assertThat(read.intervals(1L << 40).contains(Long.MIN_VALUE)).isTrue();
        assertThat(read.intervals(4).isEmpty()).isTrue();
    }

    @Test
    void rejectsDamagedFiles() throws Exception {
        byte[] good = Tombstones.NONE.with(7, 1, 2).toBytes();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> Tombstones.parse(bad, "b")).as("flip at " + i).isInstanceOf(CorruptedDataException.class);
        }
        for (int length = 0; length < good.length; length++) {
            byte[] shorter = java.util.Arrays.copyOf(good, length);
            assertThatThrownBy(() -> Tombstones.parse(shorter, "b")).isInstanceOf(CorruptedDataException.class);
        }
    }

    @Test
    void intervalsMergeLikeASetOfTimestamps() {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            TimeIntervals intervals = TimeIntervals.EMPTY;
            TreeSet<Long> deleted = new TreeSet<>();
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                long min = random.nextInt(100);
                long max = min + random.nextInt(15);
                intervals = intervals.add(min, max);
                for (long t = min; t <= max; t++) {
                    deleted.add(t);
                }
            }
            TimeIntervals.Cursor cursor = intervals.cursor();
            for (long t = -2; t < 120; t++) {
                assertThat(intervals.contains(t)).isEqualTo(deleted.contains(t));
                assertThat(cursor.deleted(t)).isEqualTo(deleted.contains(t));
            }
            for (int i = 1; i < intervals.size(); i++) {
                assertThat(intervals.min(i)).as("merged, touching ones too").isGreaterThan(intervals.max(i - 1) + 1);
            }
        }
        assertThat(TimeIntervals.of(Long.MIN_VALUE, 0).add(1, Long.MAX_VALUE)).hasToString("[[" + Long.MIN_VALUE + ", " + Long.MAX_VALUE + "]]");
        assertThat(TimeIntervals.of(0, 10).covers(2, 5)).isTrue();
        assertThat(TimeIntervals.of(0, 10).overlaps(10, 20)).isTrue();
        assertThat(TimeIntervals.of(0, 10).overlaps(11, 20)).isFalse();
    }
}
