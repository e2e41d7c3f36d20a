package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorRunnerTest {
    @TempDir
    Path dir;

    private Compactor compactor(Bucket bucket, String name, BlockEventSink sink, CompactorMetrics metrics, Duration consistencyDelay) {
        CompactorOptions options = CompactorOptions.defaults(dir.resolve("scratch-" + name)).withDelays(consistencyDelay, Duration.ofHours(48))
                .withProducer("gauntlet/compactor/" + name);
        return new Compactor(bucket, options, sink, metrics, Clock.systemUTC());
    }

    @Test
    void twoCompactorsInOneConsumerGroupCompactEachGroupExactlyOnce() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("compactor-runner", 4);
        Bucket bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        List<BlockEvent> uploads = new ArrayList<>();
        for (int g = 0; g < 6; g++) {
            Map<String, String> labels = Map.of("cluster", "c" + g);
            for (int i = 0; i < 5; i++) {
                BlockMeta meta = TestBlocks.write(dir.resolve("local"), i * 2 * HOUR, (i + 1) * 2 * HOUR, labels, 10, g * 10 + i, 0);
                BlockTransfer.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
                uploads.add(BlockEvent.of(BlockEventType.UPLOADED, meta.ulid().toString(), meta.minTime(), meta.maxTime(), Labels.fromMap(labels),
                        0, 1, List.of(meta.ulid().toString()), new BlockStats(1, 1, 1), "gauntlet/shipper/test"));
            }
        }
        CompactorMetrics metricsA = new CompactorMetrics(new SimpleMeterRegistry());
        CompactorMetrics metricsB = new CompactorMetrics(new SimpleMeterRegistry());
        String groupId = "compactors-" + topic;
        // a long consistency delay and sync interval: only the events can make these blocks usable and start work
        try (CompactorRunner a = CompactorRunner.start(sink -> compactor(bucket, "a", sink, metricsA, Duration.ofHours(1)), Duration.ofHours(1),
                kafka.clientConfig(), topic, groupId, dir.resolve("outbox-a"));
             CompactorRunner b = CompactorRunner.start(sink -> compactor(bucket, "b", sink, metricsB, Duration.ofHours(1)), Duration.ofHours(1),
                     kafka.clientConfig(), topic, groupId, dir.resolve("outbox-b"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.ownedPartitions().size() + b.ownedPartitions().size() == 4
                    && !a.ownedPartitions().isEmpty() && !b.ownedPartitions().isEmpty());
            try (BlockEventPublisher publisher = BlockEventPublisher.create(kafka.clientConfig(), topic)) {
                for (BlockEvent event : uploads) {
                    publisher.publish(event).get();
                }
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> metricsA.compactions() + metricsB.compactions() >= 6);
            Set<Integer> owned = new HashSet<>(a.ownedPartitions());
            owned.retainAll(b.ownedPartitions());
            assertThat(owned).as("partitions owned by both").isEmpty();
            assertThat(metricsA.compactions()).isPositive();
            assertThat(metricsB.compactions()).isPositive();
            System.out.printf("event to sync start: a %.1f ms, b %.1f ms%n", a.lastEventToStartNanos() / 1e6, b.lastEventToStartNanos() / 1e6);
            assertThat(Math.max(a.lastEventToStartNanos(), b.lastEventToStartNanos())).isLessThan(Duration.ofSeconds(5).toNanos());
        }
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<BlockMeta> compacted = snapshot.metas().values().stream().filter(meta -> meta.compaction().level() == 2).toList();
        assertThat(compacted).hasSize(6);
        assertThat(compacted.stream().map(meta -> meta.thanos().labels()).distinct()).hasSize(6);
        assertThat(snapshot.deletionMarks()).hasSize(24);
        assertThat(metricsA.compactions() + metricsB.compactions()).isEqualTo(6);
    }

    @Test
    void withKafkaDownFromTheStartThePeriodicSyncStillCompacts() throws Exception {
        Bucket bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        for (int i = 0; i < 5; i++) {
            BlockMeta meta = TestBlocks.write(dir.resolve("local"), i * 2 * HOUR, (i + 1) * 2 * HOUR, Map.of("cluster", "down"), 10, i, 0);
            BlockTransfer.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
        }
        int deadPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> kafka = Map.of("bootstrap.servers", "127.0.0.1:" + deadPort, "max.block.ms", "1000", "delivery.timeout.ms", "3000",
                "request.timeout.ms", "1000", "reconnect.backoff.max.ms", "1000");
        CompactorMetrics metrics = new CompactorMetrics(new SimpleMeterRegistry());
        try (CompactorRunner runner = CompactorRunner.start(sink -> compactor(bucket, "down", sink, metrics, Duration.ZERO), Duration.ofMillis(500),
                kafka, "gauntlet.blocks", "down", dir.resolve("outbox"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> metrics.compactions() >= 1);
        }
        // the events wait in the outbox for Kafka
        try (var files = Files.list(dir.resolve("outbox"))) {
            assertThat(files.count()).isEqualTo(5);
        }
    }

    private static boolean fail(CompactorRunner runner) {
        throw new AssertionError("no compaction after " + runner.syncs() + " syncs: " + runner.lastReport() + " blocks "
                + runner.compactor().scanBlocks().values().stream().map(m -> m.ulid() + " [" + m.minTime() + "," + m.maxTime() + ")").toList());
    }

    @Test
    void withoutKafkaThePeriodicSyncDiscoversAndCompactsPromtoolBlocksUploadedByHand() throws Exception {
        Promtool promtool = Promtool.require();
        Path input = dir.resolve("input.om");
        long start = 1_700_000_000_000L - 1_700_000_000_000L % (8 * HOUR);
        new OpenMetricsGenerator(3, 5, 5, 0, start, 12 * HOUR, 30_000).write(input);
        List<Path> blocks = promtool.createBlocksFromOpenMetrics(input, dir.resolve("promtool"));
        // promtool blocks end at their last sample, so [0,8h) is known to be over only once a later block is not the newest
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        Bucket bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        for (Path block : blocks) {
            BlockTransfer.upload(bucket, block, BlockMeta.read(block).ulid());
        }
        var expected = TestBlocks.samples(blocks);
        CompactorMetrics metrics = new CompactorMetrics(new SimpleMeterRegistry());
        try (CompactorRunner runner = CompactorRunner.start(sink -> compactor(bucket, "solo", sink, metrics, Duration.ZERO),
                Duration.ofMillis(300), null, "unused", "unused", dir.resolve("outbox"))) {
            await().atMost(Duration.ofSeconds(60)).failFast("a sync failed", () -> runner.lastError() != null)
                    .until(() -> metrics.compactions() >= 1 || (runner.syncs() > 2 && fail(runner)));
        }
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        Path check = Files.createDirectories(dir.resolve("check"));
        List<Path> visible = new ArrayList<>();
        for (BlockMeta meta : snapshot.metas().values()) {
            if (!snapshot.deletionMarks().containsKey(meta.ulid())) {
                visible.add(BlockTransfer.download(bucket, meta.ulid(), check));
            }
        }
        assertThat(visible.size()).isLessThan(blocks.size());
        assertThat(TestBlocks.samples(visible)).isEqualTo(expected);
    }
}
