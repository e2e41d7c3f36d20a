package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

class CompactorTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "eu-1");

    @TempDir
    Path dir;
    private Bucket bucket;
    private final List<BlockEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.now().plusSeconds(60)); // after the ULIDs of the blocks the tests write

    @BeforeEach
    void bucket() throws Exception {
        bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
    }

    private Compactor compactor(CompactorOptions options) {
        return new Compactor(bucket, options, events::add, new CompactorMetrics(registry), clock);
    }

    private CompactorOptions options() {
        return CompactorOptions.defaults(dir.resolve("scratch")).withDelays(Duration.ZERO, Duration.ofHours(48));
    }

    private List<Path> uploadTwoHourBlocks(Map<String, String> labels, int count, int seed) throws Exception {
        List<Path> local = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BlockMeta meta = TestBlocks.write(dir.resolve("local"), i * 2 * HOUR, (i + 1) * 2 * HOUR, labels, 30, seed + i, 0);
            Path block = dir.resolve("local").resolve(meta.ulid().toString());
            TestBlocks.upload(bucket, block, meta);
            local.add(block);
        }
        return local;
    }

    private List<Path> downloadVisible() throws Exception {
        Path target = Files.createDirectories(dir.resolve("check-" + System.nanoTime()));
        List<Path> blocks = new ArrayList<>();
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        for (BlockMeta meta : snapshot.metas().values()) {
            if (!snapshot.deletionMarks().containsKey(meta.ulid())) {
                blocks.add(BlockTransfer.download(bucket, meta.ulid(), target));
            }
        }
        return blocks;
    }

    @Test
    void compactsUploadsMetaLastThenMarksSourcesAndDeletesThemAfterTheDelay() throws Exception {
        List<Path> local = uploadTwoHourBlocks(LABELS, 5, 10);
        var expected = TestBlocks.samples(local);
        Compactor compactor = compactor(options());

        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);

        assertThat(report.compactions()).isEqualTo(1);
        assertThat(report.markedForDeletion()).isEqualTo(4);
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        assertThat(snapshot.metas()).hasSize(6);
        assertThat(snapshot.deletionMarks()).hasSize(4);
        BlockMeta compacted = snapshot.metas().values().stream().filter(m -> m.compaction().level() == 2).findFirst().orElseThrow();
        assertThat(compacted.minTime()).isZero();
        assertThat(compacted.maxTime()).isEqualTo(8 * HOUR);
        assertThat(compacted.thanos().files()).extracting(BlockMeta.File::relPath).contains("index", "meta.json", "chunks/000001");
        assertThat(events).extracting(BlockEvent::type).containsExactly(BlockEventType.UPLOADED, BlockEventType.MARKED_FOR_DELETION,
                BlockEventType.MARKED_FOR_DELETION, BlockEventType.MARKED_FOR_DELETION, BlockEventType.MARKED_FOR_DELETION);
        assertThat(events.getFirst().ulid()).isEqualTo(compacted.ulid().toString());
        assertThat(events.getFirst().groupKey()).isEqualTo(io.gauntlet.events.CompactionGroupKey.of(0, LABELS));
        assertThat(TestBlocks.samples(downloadVisible())).isEqualTo(expected);

        // nothing more to do, and the marked blocks stay until the delete delay has passed
        assertThat(compactor.sync(group -> true, () -> true).compactions()).isZero();
        assertThat(new BucketScan(bucket).scan().metas()).hasSize(6);
        clock.advance(Duration.ofHours(49));
        Compactor.SyncReport later = compactor.sync(group -> true, () -> true);
        assertThat(later.deleted()).isEqualTo(4);
        assertThat(new BucketScan(bucket).scan().metas()).hasSize(2);
        assertThat(bucket.list("", false)).hasSize(2);
        assertThat(events.stream().filter(e -> e.type() == BlockEventType.DELETED)).hasSize(4);
        assertThat(TestBlocks.samples(downloadVisible())).isEqualTo(expected);
        assertThat(registry.get("thanos_compact_group_compactions").counter().count()).isEqualTo(1);
    }

    @Test
    void overlappingBlocksHaltOnlyTheirGroupUntilResolved() throws Exception {
        uploadTwoHourBlocks(LABELS, 5, 20);
        Map<String, String> other = Map.of("cluster", "us-1");
        uploadTwoHourBlocks(other, 5, 30);
        BlockMeta overlapping = TestBlocks.write(dir.resolve("local"), HOUR, 3 * HOUR, other, 5, 99, 0);
        TestBlocks.upload(bucket, dir.resolve("local").resolve(overlapping.ulid().toString()), overlapping);
        Compactor compactor = compactor(options());

        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);

        String haltedKey = io.gauntlet.events.CompactionGroupKey.of(0, other);
        assertThat(report.compactions()).isEqualTo(1);
        assertThat(report.haltedGroups()).containsExactly(haltedKey);
        assertThat(compactor.haltedGroups().get(haltedKey)).contains(overlapping.ulid().toString()).contains("deduplication.replica-label");
        assertThat(registry.get("thanos_compact_halted").gauge().value()).isEqualTo(1);

        // the operator marks the stray block: the group resumes
        byte[] mark = io.gauntlet.tsdb.block.NoCompactMark.of(overlapping.ulid(), "", 0, "manual").toJson();
        bucket.upload(overlapping.ulid() + "/no-compact-mark.json", new java.io.ByteArrayInputStream(mark), mark.length);
        Compactor.SyncReport resumed = compactor.sync(group -> true, () -> true);
        assertThat(resumed.haltedGroups()).isEmpty();
        assertThat(resumed.compactions()).isEqualTo(1);
        assertThat(registry.get("thanos_compact_halted").gauge().value()).isZero();
    }

    @Test
    void haReplicasAreVerticallyCompactedIntoOneBlockWithoutTheReplicaLabel() throws Exception {
        uploadTwoHourBlocks(Map.of("cluster", "eu-1", "replica", "a"), 2, 40);
        uploadTwoHourBlocks(Map.of("cluster", "eu-1", "replica", "b"), 2, 50);
        Compactor compactor = compactor(options().withReplicaLabels(List.of("replica"), Deduplication.PENALTY));

        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);

        // two vertical compactions (one per overlapping pair); the two results are then left: newest block stays alone
        assertThat(report.compactions()).isEqualTo(2);
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<BlockMeta> visible = snapshot.metas().values().stream().filter(m -> !snapshot.deletionMarks().containsKey(m.ulid())).toList();
        assertThat(visible).hasSize(2).allSatisfy(meta -> {
            assertThat(meta.thanos().labels()).isEqualTo(LABELS);
            assertThat(meta.compaction().sources()).hasSize(2);
        });
    }

    @Test
    void aCrashBetweenUploadAndMarkingLeavesDuplicatesThatTheNextSyncCollects() throws Exception {
        List<Path> local = uploadTwoHourBlocks(LABELS, 5, 60);
        var expected = TestBlocks.samples(local);
        // what a compactor killed right after uploading meta.json leaves behind: the new block, unmarked sources
        BlockCompactor.Result result = BlockCompactor.compact(local.subList(0, 4), dir.resolve("crashed"), LABELS, Deduplication.NONE,
                CompactionProgress.NONE);
        BlockTransfer.upload(bucket, result.directory(), result.meta().ulid());

        Compactor.SyncReport report = compactor(options()).sync(group -> true, () -> true);

        assertThat(report.compactions()).isZero();
        assertThat(report.markedForDeletion()).isEqualTo(4);
        assertThat(new BucketScan(bucket).scan().deletionMarks().keySet())
                .containsExactlyInAnyOrderElementsOf(local.subList(0, 4).stream().map(p -> Ulid.parse(p.getFileName().toString())).toList());
        assertThat(TestBlocks.samples(downloadVisible())).isEqualTo(expected);
    }

    @Test
    void abandonedPartialUploadsAreDeletedAfterTwoDaysOnly() throws Exception {
        List<Path> local = uploadTwoHourBlocks(LABELS, 1, 70);
        String ulid = local.getFirst().getFileName().toString();
        bucket.delete(ulid + "/meta.json"); // a partial upload
        Compactor compactor = compactor(options());
        compactor.sync(group -> true, () -> true);
        assertThat(bucket.list(ulid + "/", true)).isNotEmpty();
        clock.advance(Duration.ofDays(2).plusMinutes(1));
        compactor.sync(group -> true, () -> true);
        assertThat(bucket.list(ulid + "/", true)).isEmpty();
    }

    @Test
    void retentionMarksBlocksOlderThanTheirResolutionsRetention() throws Exception {
        uploadTwoHourBlocks(LABELS, 1, 80);
        Compactor compactor = compactor(options().withRetention(Duration.ofDays(30), Duration.ZERO, Duration.ZERO));
        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);
        assertThat(report.markedForDeletion()).isEqualTo(1); // the block is from 1970
        DeletionMark mark = new BucketScan(bucket).scan().deletionMarks().values().iterator().next();
        assertThat(mark.details()).contains("retention");
    }

    @Test
    void groupsOwnedElsewhereAreLeftAlone() throws Exception {
        uploadTwoHourBlocks(LABELS, 5, 90);
        Compactor.SyncReport report = compactor(options()).sync(group -> false, () -> true);
        assertThat(report.compactions()).isZero();
        assertThat(new BucketScan(bucket).scan().deletionMarks()).isEmpty();
    }

    /** A clock the test moves forward. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
