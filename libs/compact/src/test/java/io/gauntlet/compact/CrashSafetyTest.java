package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL of a compactor at several points, then a restart: no sample lost or doubled, no overlapping visible blocks. */
class CrashSafetyTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "crash");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"download", "merged", "upload", "uploaded", "marking"})
    void aKilledCompactionLosesAndDoublesNothing(String point) throws Exception {
        Path bucketDir = Files.createDirectories(dir.resolve("bucket"));
        Bucket bucket = new FilesystemBucket(bucketDir);
        List<Path> local = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            BlockMeta meta = TestBlocks.write(dir.resolve("local"), i * 2 * HOUR, (i + 1) * 2 * HOUR, LABELS, 40, 100 + i, 0);
            Path block = dir.resolve("local").resolve(meta.ulid().toString());
            BlockTransfer.upload(bucket, block, meta.ulid());
            local.add(block);
        }
        var expected = TestBlocks.samples(local);
        Path marker = dir.resolve("parked");
        Path scratch = dir.resolve("scratch");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashingCompactorMain.class.getName(), bucketDir.toString(), scratch.toString(), point, marker.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).failFast("the child compactor exited", () -> !child.isAlive())
                    .until(() -> Files.exists(marker));
        } finally {
            child.destroyForcibly(); // SIGKILL
            child.waitFor();
        }

        // restart in the same scratch directory until nothing is left to do
        Compactor restarted = new Compactor(bucket, CompactorOptions.defaults(scratch).withDelays(Duration.ZERO, Duration.ofHours(48)),
                BlockEventSink.NONE, new CompactorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            restarted.sync(group -> true, () -> true);
        }

        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<BlockMeta> visible = snapshot.metas().values().stream().filter(meta -> !snapshot.deletionMarks().containsKey(meta.ulid()))
                .sorted(CompactionPlanner.BY_MIN_TIME).toList();
        assertThat(CompactionPlanner.overlapping(visible)).as("overlapping visible blocks after a kill at %s", point).isEmpty();
        assertThat(visible).extracting(meta -> meta.compaction().level()).containsExactly(2, 1);
        Path check = Files.createDirectories(dir.resolve("check"));
        List<Path> downloaded = new ArrayList<>();
        for (BlockMeta meta : visible) {
            downloaded.add(BlockTransfer.download(bucket, meta.ulid(), check));
        }
        assertThat(TestBlocks.samples(downloaded)).as("samples after a kill at %s", point).isEqualTo(expected);
    }
}
