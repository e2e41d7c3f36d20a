package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged sources (bytes flipped in a chunk file, a segment file gone, an index cut short) are found before anything
 * is merged, marked no-compact with Thanos' marker and a reason naming the damage, announced as block.marked-no-compact,
 * and the group compacts around them in the same pass; downsampling leaves a damaged block alone the same way.
 */
class DamagedSourcesTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "eu-1");

    @TempDir
    Path dir;
    private Bucket bucket;
    private final List<BlockEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void bucket() throws Exception {
        bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
    }

    private Compactor compactor() {
        Clock clock = Clock.fixed(Instant.now().plusSeconds(60), ZoneOffset.UTC);
        return new Compactor(bucket, CompactorOptions.defaults(dir.resolve("scratch")).withDelays(Duration.ZERO, Duration.ofHours(48)),
                events::add, new CompactorMetrics(registry), clock);
    }

    private BlockMeta upload(long minTime, long maxTime, int seed) throws Exception {
        BlockMeta meta = TestBlocks.write(dir.resolve("local"), minTime, maxTime, LABELS, 20, seed, 0);
        TestBlocks.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta);
        return meta;
    }

    @Test
    void damagedSourcesAreMarkedAndTheGroupCompactsAroundThem() throws Exception {
        List<BlockMeta> blocks = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            blocks.add(upload(i * 2 * HOUR, (i + 1) * 2 * HOUR, 40 + i));
        }
        Ulid flipped = blocks.get(0).ulid();
        Ulid missing = blocks.get(6).ulid();
        Ulid truncated = blocks.get(7).ulid();
        byte[] chunks = read(flipped + "/chunks/000001");
        chunks[20] ^= 0x21;
        write(flipped + "/chunks/000001", chunks);
        bucket.delete(missing + "/chunks/000001");
        byte[] index = read(truncated + "/index");
        write(truncated + "/index", java.util.Arrays.copyOf(index, index.length - 100));
        List<Path> healthy = new ArrayList<>();
        for (int i : new int[] {1, 2, 3, 4, 5, 8}) {
            healthy.add(dir.resolve("local").resolve(blocks.get(i).ulid().toString()));
        }

        Compactor.SyncReport report = compactor().sync(group -> true, () -> true);

        assertThat(report.failedGroups()).isEmpty();
        assertThat(report.compactions()).isEqualTo(2); // [2h, 8h) without the first block, [8h, 12h) without the last two
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        Map<Ulid, NoCompactMark> marks = snapshot.noCompactMarks();
        assertThat(marks).containsOnlyKeys(flipped, missing, truncated);
        assertThat(marks.get(flipped).reason()).isEqualTo("corrupted-checksum");
        assertThat(marks.get(flipped).details()).contains("corrupted block " + flipped + ": chunks/000001 at offset 8");
        assertThat(marks.get(missing).reason()).isEqualTo("corrupted-missing-file");
        assertThat(marks.get(missing).details()).contains("chunks/000001: missing");
        assertThat(marks.get(truncated).reason()).isEqualTo("corrupted-truncated");
        assertThat(marks.get(truncated).details()).contains("index at offset");
        assertThat(new String(read(flipped + "/" + NoCompactMark.FILE))).contains("\"version\":1", "\"no_compact_time\"");
        assertThat(events.stream().filter(e -> e.type() == BlockEventType.MARKED_NO_COMPACT).map(BlockEvent::ulid))
                .containsExactlyInAnyOrder(flipped.toString(), missing.toString(), truncated.toString());
        assertThat(registry.get("thanos_compact_blocks_marked").tag("marker", "no-compact-mark.json").counter().count()).isEqualTo(3);
        // the damaged blocks stay as they are; every healthy sample is in the blocks a reader now sees
        assertThat(snapshot.deletionMarks().keySet()).doesNotContain(flipped, missing, truncated);
        List<Path> visible = new ArrayList<>();
        Path check = Files.createDirectories(dir.resolve("check"));
        for (BlockMeta meta : snapshot.metas().values()) {
            if (!snapshot.deletionMarks().containsKey(meta.ulid()) && !marks.containsKey(meta.ulid())) {
                visible.add(BlockTransfer.download(bucket, meta.ulid(), check));
            }
        }
        assertThat(TestBlocks.samples(visible)).isEqualTo(TestBlocks.samples(healthy));

        // the next pass finds nothing to do and marks nothing again
        events.clear();
        Compactor.SyncReport again = compactor().sync(group -> true, () -> true);
        assertThat(again.compactions()).isZero();
        assertThat(again.failedGroups()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void aDamagedBlockDueForDownsamplingIsMarkedNotDownsampled() throws Exception {
        BlockMeta big = upload(0, 40 * HOUR, 7); // long enough for 5m downsampling
        byte[] chunks = read(big.ulid() + "/chunks/000001");
        chunks[chunks.length / 2] ^= 0x40;
        write(big.ulid() + "/chunks/000001", chunks);
        CompactorMetrics metrics = new CompactorMetrics(registry);
        Compactor compactor = new Compactor(bucket, CompactorOptions.defaults(dir.resolve("scratch")).withDelays(Duration.ZERO,
                Duration.ofHours(48)), events::add, metrics, Clock.fixed(Instant.now().plusSeconds(60), ZoneOffset.UTC));

        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);

        assertThat(report.downsamplings()).isZero();
        assertThat(report.failedGroups()).isEmpty();
        assertThat(metrics.downsamples()).isZero();
        assertThat(registry.get("thanos_compact_downsample_failures").counter().count()).isZero();
        assertThat(new BucketScan(bucket).scan().noCompactMarks().get(big.ulid()).reason()).startsWith("corrupted-");
        assertThat(new BucketScan(bucket).scan().metas()).containsOnlyKeys(big.ulid()); // no 5m block of damaged data
        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isZero(); // and not tried again
    }

    private byte[] read(String object) throws Exception {
        try (InputStream in = bucket.get(object)) {
            return in.readAllBytes();
        }
    }

    private void write(String object, byte[] bytes) {
        bucket.upload(object, new ByteArrayInputStream(bytes), bytes.length);
    }
}
