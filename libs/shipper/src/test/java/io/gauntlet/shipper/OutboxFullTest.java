package io.gauntlet.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.events.EventOutbox;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's disk cannot take an event (the chaos soak fills a small tmpfs): the block is kept, reported and caught up. */
class OutboxFullTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "full", "prometheus_replica", "a");

    @TempDir
    Path work;

    @Test
    void aBlockWhoseEventCannotBeStoredIsRetriedUntilTheOutboxTakesIt() throws Exception {
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        Path block = TsdbBlocks.install(TsdbBlocks.randomBlock(Files.createDirectories(work.resolve("made")), TsdbBlocks.START, 5, 512 * 1024), tsdb);
        String ulid = block.getFileName().toString();
        Path outboxDirectory = work.resolve("outbox");
        EventOutbox outbox = new EventOutbox(outboxDirectory);
        ShipperMetrics metrics = new ShipperMetrics(new SimpleMeterRegistry());
        try (Bucket bucket = BucketFactory.create(BucketConfig.filesystem(work.resolve("bucket")))) {
            BlockShipper shipper = new BlockShipper(tsdb, bucket, LABELS, "sidecar", "gauntlet/shipper/test", outbox, metrics, null);
            TsdbBlocks.deleteTree(outboxDirectory); // every write into the outbox fails, as on a full disk

            assertThatThrownBy(shipper::sync).isInstanceOf(ShipperException.class).hasMessageContaining(ulid).hasMessageContaining("outbox");
            assertThat(metrics.outboxWriteFailures()).isEqualTo(1);
            assertThat(bucket.exists(ulid + "/meta.json")).isTrue();
            assertThat(ShipperState.read(tsdb).uploaded()).doesNotContain(ulid); // not done: its event is still owed
            assertThatThrownBy(shipper::sync).isInstanceOf(ShipperException.class);
            assertThat(metrics.outboxWriteFailures()).isEqualTo(2);

            Files.createDirectories(outboxDirectory); // room again
            assertThat(shipper.sync()).isZero(); // already in the bucket: only the event and the state
            assertThat(outbox.pending()).extracting(entry -> entry.event().ulid()).containsExactly(ulid);
            assertThat(ShipperState.read(tsdb).uploaded()).containsExactly(ulid);
            assertThat(metrics.uploads()).isEqualTo(1);
        }
    }
}
