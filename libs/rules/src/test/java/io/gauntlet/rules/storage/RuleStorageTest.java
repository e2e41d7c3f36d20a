package io.gauntlet.rules.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.rules.SampleAppender;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleStorageTest {
    private static final Labels EXTERNAL = Labels.of("rule_replica", "a");
    private static final Labels SERIES = Labels.of("__name__", "job:up:sum", "job", "api");
    private static final long MINUTE = 60_000;

    private static List<long[]> read(RuleStorage storage, long mint, long maxt) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (Querier querier = storage.querier(mint, maxt)) {
            SeriesSet set = querier.select(true, null, List.of(LabelMatcher.equal("__name__", "job:up:sum")));
            while (set.next()) {
                SampleIterator it = set.at().iterator(null);
                while (it.next()) {
                    out.add(new long[] {it.timestamp(), (long) it.value()});
                }
            }
        }
        return out;
    }

    private static void appendMinutes(RuleStorage storage, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            SampleAppender appender = storage.appender();
            assertThat(appender.append(SERIES, i * MINUTE, i)).isTrue();
            appender.commit();
        }
    }

    @Test
    void committedSamplesSurviveAReopenAndATornTail(@TempDir Path directory) throws Exception {
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            appendMinutes(storage, 0, 30);
            SampleAppender appender = storage.appender();
            assertThat(appender.append(SERIES, 10 * MINUTE, 1)).as("out of order").isFalse();
            assertThat(appender.append(SERIES, 29 * MINUTE, 29)).as("duplicate timestamp").isFalse();
        }
        // a crash in the middle of a write leaves half a record behind
        Files.write(directory.resolve("wal/log"), new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            assertThat(read(storage, 0, Long.MAX_VALUE)).hasSize(30);
            appendMinutes(storage, 30, 31);
        }
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            assertThat(read(storage, 0, Long.MAX_VALUE)).hasSize(31);
        }
    }

    @Test
    void cutsTwoHourBlocksWithTheRulerLabelsAndNeverDuplicatesAfterACrash(@TempDir Path directory) throws Exception {
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            appendMinutes(storage, 0, 190); // the head spans more than 3h at minute 181: the first 2h become a block
            assertThat(storage.stats().blocks()).isEqualTo(1);
            assertThat(read(storage, 0, Long.MAX_VALUE)).hasSize(190);
        }
        Path block;
        try (Stream<Path> list = Files.list(directory)) {
            block = list.filter(p -> p.getFileName().toString().length() == 26).findFirst().orElseThrow();
        }
        try (BlockReader reader = BlockReader.open(block)) {
            BlockMeta meta = reader.meta();
            assertThat(meta.minTime()).isZero();
            assertThat(meta.maxTime()).isEqualTo(2 * 3600_000L);
            assertThat(meta.stats().numSamples()).isEqualTo(120);
            assertThat(meta.thanos().labels()).containsEntry("rule_replica", "a");
            assertThat(meta.thanos().source()).isEqualTo("ruler");
        }
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            List<long[]> samples = read(storage, 0, Long.MAX_VALUE);
            assertThat(samples).hasSize(190);
            for (int i = 0; i < samples.size(); i++) {
                assertThat(samples.get(i)[0]).isEqualTo(i * MINUTE);
            }
        }
    }

    @Test
    void aBlockWrittenBeforeTheLogCheckpointDoesNotDoubleSamples(@TempDir Path directory) throws Exception {
        Path copy = directory.resolve("saved-log");
        try (RuleStorage storage = RuleStorage.open(directory.resolve("data"), EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            appendMinutes(storage, 0, 150);
            Files.copy(directory.resolve("data/wal/log"), copy);
            storage.cutBlock(0, 2 * 3600_000L);
        }
        // as if the process died after the block's rename and before the checkpoint replaced the log
        Files.copy(copy, directory.resolve("data/wal/log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (RuleStorage storage = RuleStorage.open(directory.resolve("data"), EXTERNAL, RuleStorage.DEFAULT_BLOCK_RANGE, 0)) {
            assertThat(read(storage, 0, Long.MAX_VALUE)).hasSize(150);
            assertThat(storage.stats().headSeries()).isEqualTo(1);
        }
    }

    @Test
    void readsAcrossShortBlocksAndTheHead(@TempDir Path directory) throws Exception {
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, 20_000, 0)) {
            long start = 1_796_000_000_000L;
            for (int i = 0; i < 60; i++) {
                SampleAppender appender = storage.appender();
                appender.append(SERIES, start + i * 1000L, i);
                appender.commit();
            }
            assertThat(storage.stats().blocks()).isGreaterThan(0);
            List<long[]> samples = read(storage, start, start + 3600_000);
            assertThat(samples).hasSize(60);
            assertThat(samples.getLast()[0]).isEqualTo(start + 59_000);
        }
        try (RuleStorage storage = RuleStorage.open(directory, EXTERNAL, 20_000, 0)) {
            List<long[]> samples = read(storage, 1_796_000_000_000L, 1_796_000_000_000L + 3600_000);
            assertThat(samples).hasSize(60);
        }
    }
}
