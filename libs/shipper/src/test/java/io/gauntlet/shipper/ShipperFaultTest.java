package io.gauntlet.shipper;

import io.gauntlet.events.EventOutbox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.CompactionGroupKey;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.DepsScript;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outages and broken set-ups: the S3 server gone for a while, Kafka unreachable, bad config at start. */
class ShipperFaultTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "faults", "prometheus_replica", "1");

    @TempDir
    Path work;

    /** Blocks whose ULIDs sort opposite to their minTime, so only a minTime order gives the expected sequence. */
    private List<Path> blocksWithReversedUlids(int count) throws Exception {
        List<Path> blocks = new ArrayList<>();
        Path made = Files.createDirectories(work.resolve("made"));
        List<Ulid> ulids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ulids.add(Ulid.generate());
        }
        ulids.sort(Comparator.reverseOrder());
        for (int i = 0; i < count; i++) {
            Path block = TsdbBlocks.randomBlock(made, TsdbBlocks.START + i * TsdbBlocks.BLOCK, 20, 512 * 1024);
            Path renamed = made.resolve(ulids.get(i).toString());
            Files.move(block, renamed);
            BlockMeta meta = BlockMeta.read(renamed);
            meta.withUlid(ulids.get(i)).withCompaction(BlockMeta.Compaction.of(1, List.of(ulids.get(i)), List.of())).writeTo(renamed);
            blocks.add(renamed);
        }
        return blocks;
    }

    @Test
    void s3ServerGoneForAWhileMeansRetriesThenEverythingInOrder() throws Exception {
        List<Path> blocks = blocksWithReversedUlids(3);
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("shipper-s3-outage", 1);
        try (RestartableS3Proxy s3 = new RestartableS3Proxy()) {
            S3Config s3Config = s3.newBucket("shipper-outage");
            BucketConfig bucketConfig = BucketConfig.s3(s3Config);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ShipperOptions options = ShipperOptions.of(tsdb, bucketConfig, LABELS)
                    .withKafka(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                    .withIntervals(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1));
            try (Shipper shipper = Shipper.start(options, registry);
                 KafkaConsumer<String, BlockEvent> consumer = BucketBlocks.consumer(kafka.bootstrapServers(), topic)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> shipper.passes() >= 1);
                s3.stop();
                for (Path block : blocks) {
                    TsdbBlocks.install(block, tsdb);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> shipper.metrics().uploadFailures() >= 2);
                assertThat(shipper.lastError()).contains(blocks.getFirst().getFileName().toString(), "shipper-outage");
                assertThat(ShipperState.read(tsdb).uploaded()).isEmpty();
                s3.start();
                List<String> expected = blocks.stream().map(block -> block.getFileName().toString()).toList();
                try (Bucket bucket = BucketFactory.create(bucketConfig)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> expected.stream().allMatch(ulid -> bucket.exists(ulid + "/meta.json")));
                    assertThat(BucketBlocks.incompleteVisibleBlocks(bucket)).isEmpty();
                }
                assertThat(shipper.metrics().uploads()).isEqualTo(3);
                assertThat(ShipperState.read(tsdb).uploaded()).containsExactlyElementsOf(expected);
                List<ConsumerRecord<String, BlockEvent>> records = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    BucketBlocks.poll(consumer, records);
                    return records.size() >= 3;
                });
                // uploaded (and announced) by minTime although the ULIDs sort the other way
                assertThat(records).extracting(record -> record.value().ulid()).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void kafkaUnreachableDoesNotStopUploadsAndTheOutboxDeliversLater() throws Exception {
        List<Path> blocks = blocksWithReversedUlids(2);
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        BucketConfig bucketConfig = BucketConfig.s3(S3ProxyFixture.shared().newBucket("shipper-kafka-outage"));
        Path outbox = work.resolve("outbox");
        String closedPort = "127.0.0.1:" + DepsScript.freePort();
        ShipperOptions unreachable = ShipperOptions.of(tsdb, bucketConfig, LABELS)
                .withKafka(Map.of("bootstrap.servers", closedPort), "gauntlet.blocks")
                .withOutboxDirectory(outbox)
                .withKafkaDeliveryTimeout(Duration.ofSeconds(2))
                .withIntervals(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1));
        List<String> expected = blocks.stream().map(block -> block.getFileName().toString()).toList();
        try (Shipper shipper = Shipper.start(unreachable, new SimpleMeterRegistry());
             Bucket bucket = BucketFactory.create(bucketConfig)) {
            for (Path block : blocks) {
                TsdbBlocks.install(block, tsdb);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> expected.stream().allMatch(ulid -> bucket.exists(ulid + "/meta.json")));
            assertThat(shipper.metrics().uploads()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> shipper.kafkaError() != null);
            assertThat(shipper.pendingEvents()).isEqualTo(2);
        }
        assertThat(new EventOutbox(outbox).pending()).extracting(entry -> entry.event().ulid()).containsExactlyElementsOf(expected);

        // the shipper restarts with the broker reachable: the outbox is delivered, nothing is uploaded again
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("shipper-kafka-outage", 2);
        ShipperOptions reachable = unreachable.withKafka(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic);
        try (Shipper shipper = Shipper.start(reachable, new SimpleMeterRegistry());
             KafkaConsumer<String, BlockEvent> consumer = BucketBlocks.consumer(kafka.bootstrapServers(), topic)) {
            List<ConsumerRecord<String, BlockEvent>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                BucketBlocks.poll(consumer, records);
                return records.size() >= 2;
            });
            assertThat(records).extracting(record -> record.value().ulid()).containsExactlyElementsOf(expected);
            assertThat(records).extracting(ConsumerRecord::key).containsOnly(CompactionGroupKey.of(0, LABELS));
            await().atMost(Duration.ofSeconds(10)).until(() -> shipper.pendingEvents() == 0);
            assertThat(shipper.metrics().uploads()).isZero();
        }
    }

    @Test
    void malformedObjstoreYamlIsAClearError() throws Exception {
        assertThatThrownBy(() -> ShipperOptions.bucketConfig(null, "type: S3\nconfig:\n  bucket: [unclosed\n  secret_key: hunter2\n"))
                .isInstanceOf(ShipperException.class)
                .hasMessageStartingWith("invalid objstore config: malformed objstore YAML at line")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ShipperOptions.bucketConfig(null, "type: GCS2\nconfig: {}\n"))
                .isInstanceOf(ShipperException.class).hasMessageContaining("GCS2");
        assertThatThrownBy(() -> ShipperOptions.bucketConfig(work.resolve("missing.yaml"), null))
                .isInstanceOf(ShipperException.class).hasMessageContaining("missing.yaml does not exist");
        assertThatThrownBy(() -> ShipperOptions.bucketConfig(null, " "))
                .isInstanceOf(ShipperException.class).hasMessageContaining("no objstore config");
    }

    @Test
    void unreachableOrMissingBucketAtStartIsAClearError() throws Exception {
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        S3Config closed = S3Config.of("nowhere", "http://127.0.0.1:" + DepsScript.freePort(), "key", "secret");
        assertThatThrownBy(() -> Shipper.start(ShipperOptions.of(tsdb, BucketConfig.s3(closed), LABELS), new SimpleMeterRegistry()))
                .isInstanceOf(ShipperException.class)
                .hasMessageStartingWith("objstore bucket nowhere (S3) is not reachable:");
        S3ProxyFixture s3 = S3ProxyFixture.shared();
        S3Config missing = S3Config.of("no-such-bucket-here", s3.endpoint(), s3.accessKey(), s3.secretKey());
        assertThatThrownBy(() -> Shipper.start(ShipperOptions.of(tsdb, BucketConfig.s3(missing), LABELS), new SimpleMeterRegistry()))
                .isInstanceOf(ShipperException.class)
                .hasMessageStartingWith("objstore bucket no-such-bucket-here (S3) is not reachable:");
    }

    @Test
    void emptyExternalLabelsOrMissingTsdbRefuseToStart() throws Exception {
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        BucketConfig filesystem = BucketConfig.filesystem(work.resolve("bucket"));
        assertThatThrownBy(() -> Shipper.start(ShipperOptions.of(tsdb, filesystem, Map.of()), new SimpleMeterRegistry()))
                .isInstanceOf(ShipperException.class).hasMessageStartingWith("external labels are empty");
        assertThatThrownBy(() -> Shipper.start(ShipperOptions.of(work.resolve("absent"), filesystem, LABELS), new SimpleMeterRegistry()))
                .isInstanceOf(ShipperException.class).hasMessageContaining("absent does not exist");
    }
}
