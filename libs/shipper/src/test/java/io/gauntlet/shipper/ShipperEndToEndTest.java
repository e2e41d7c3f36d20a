package io.gauntlet.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.CompactionGroupKey;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real promtool blocks in a TSDB directory → shipper → s3proxy bucket, events on the shared Kafka. */
class ShipperEndToEndTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "e2e", "prometheus_replica", "0");

    @TempDir
    Path work;

    @Test
    void shipsEveryLevelOneBlockWithSamplesThenAnnouncesIt() throws Exception {
        List<Path> blocks = TsdbBlocks.promtoolBlocks(work, 11, 6);
        assertThat(blocks).hasSize(3);
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        Files.createDirectories(tsdb.resolve("wal"));
        // what must not be shipped: a compacted block, an empty one, one still being written
        Path compacted = work.resolve("compacted");
        Ulid compactedUlid = Ulid.generate();
        TsdbBlocks.copyTree(blocks.get(0), compacted.resolve(compactedUlid.toString()));
        BlockMeta first = BlockMeta.read(blocks.get(0));
        first.withUlid(compactedUlid).withCompaction(BlockMeta.Compaction.of(2, List.of(compactedUlid), List.of()))
                .writeTo(compacted.resolve(compactedUlid.toString()));
        TsdbBlocks.install(compacted.resolve(compactedUlid.toString()), tsdb);
        Ulid emptyUlid = Ulid.generate();
        TsdbBlocks.copyTree(blocks.get(1), work.resolve("empty").resolve(emptyUlid.toString()));
        BlockMeta.read(blocks.get(1)).withUlid(emptyUlid).withStats(BlockMeta.Stats.of(0, 0, 0))
                .writeTo(work.resolve("empty").resolve(emptyUlid.toString()));
        TsdbBlocks.install(work.resolve("empty").resolve(emptyUlid.toString()), tsdb);
        TsdbBlocks.copyTree(blocks.get(2), tsdb.resolve(Ulid.generate() + ".tmp-for-creation"));

        S3ProxyFixture s3 = S3ProxyFixture.shared();
        BucketConfig bucketConfig = BucketConfig.s3(s3.newBucket("shipper-e2e"));
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("shipper-e2e", 3);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ShipperOptions options = ShipperOptions.of(tsdb, bucketConfig, LABELS)
                .withKafka(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                .withIntervals(Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofSeconds(2)); // only the watch can be this quick

        try (Shipper shipper = Shipper.start(options, registry);
             Bucket bucket = BucketFactory.create(bucketConfig);
             KafkaConsumer<String, BlockEvent> consumer = BucketBlocks.consumer(kafka.bootstrapServers(), topic)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> shipper.passes() >= 1);
            for (Path block : blocks) { // as Prometheus cuts them: oldest first
                TsdbBlocks.install(block, tsdb);
            }
            List<String> expected = blocks.stream().map(block -> block.getFileName().toString()).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> expected.stream().allMatch(ulid -> bucket.exists(ulid + "/meta.json")));

            for (Path block : blocks) {
                String ulid = block.getFileName().toString();
                assertThat(bucket.list(ulid, true)).containsExactly(ulid + "/chunks/000001", ulid + "/index", ulid + "/meta.json");
                BlockMeta local = BlockMeta.read(block);
                BlockMeta shipped = BucketBlocks.meta(bucket, ulid);
                assertThat(shipped.withThanos(null)).isEqualTo(local);
                assertThat(shipped.thanos().labels()).isEqualTo(LABELS);
                assertThat(shipped.thanos().source()).isEqualTo("sidecar");
                assertThat(shipped.thanos().downsample().resolution()).isZero();
                assertThat(shipped.thanos().segmentFiles()).containsExactly("000001");
                assertThat(shipped.thanos().files()).containsExactly(
                        BlockMeta.File.of("chunks/000001", Files.size(block.resolve("chunks/000001"))),
                        BlockMeta.File.of("index", Files.size(block.resolve("index"))),
                        BlockMeta.File.of("meta.json", 0));
                // Prometheus' block measured as Thanos' store gateway reads it, and the upload stamped
                assertThat(shipped.thanos().indexStats()).isEqualTo(io.gauntlet.tsdb.block.BlockIndexStats.measure(block));
                assertThat(shipped.thanos().indexStats().seriesMaxSize()).isPositive();
                assertThat(shipped.thanos().uploadInstant()).hasValueSatisfying(time -> assertThat(time).isBefore(java.time.Instant.now()));
                assertThat(bucket.attributes(ulid + "/index").size()).isEqualTo(Files.size(block.resolve("index")));
                assertThat(bucket.attributes(ulid + "/chunks/000001").size()).isEqualTo(Files.size(block.resolve("chunks/000001")));
            }
            assertThat(bucket.list("", false)).containsExactlyInAnyOrderElementsOf(expected.stream().map(ulid -> ulid + "/").toList());
            assertThat(ShipperState.read(tsdb).uploaded()).containsExactlyElementsOf(expected);

            List<ConsumerRecord<String, BlockEvent>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                BucketBlocks.poll(consumer, records);
                return records.size() >= 3;
            });
            String key = CompactionGroupKey.of(0, LABELS);
            assertThat(records).extracting(ConsumerRecord::key).containsOnly(key);
            // one group key → one partition → the order the shipper uploaded in: by minTime
            assertThat(records).extracting(record -> record.value().ulid()).containsExactlyElementsOf(expected);
            for (ConsumerRecord<String, BlockEvent> record : records) {
                BlockEvent event = record.value();
                BlockMeta local = BlockMeta.read(tsdb.resolve(event.ulid()));
                assertThat(event.type()).isEqualTo(BlockEventType.UPLOADED);
                assertThat(event.minTime()).isEqualTo(local.minTime());
                assertThat(event.maxTime()).isEqualTo(local.maxTime());
                assertThat(event.externalLabels().toMap()).isEqualTo(LABELS);
                assertThat(event.resolution()).isZero();
                assertThat(event.compactionLevel()).isEqualTo(1);
                assertThat(event.stats().numSamples()).isEqualTo(local.stats().numSamples());
                assertThat(event.producer()).isEqualTo("gauntlet/shipper");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> shipper.pendingEvents() == 0);
            String metrics = registry.scrape();
            assertThat(metrics).contains("thanos_shipper_uploads_total 3.0", "thanos_shipper_upload_failures_total 0.0",
                    "thanos_objstore_bucket_operations_total{bucket=");
            assertThat(metrics).containsPattern("thanos_shipper_last_upload_timestamp_seconds [1-9]");
        }

        // a lost state file: the bucket decides, nothing is uploaded twice
        Files.delete(tsdb.resolve(ShipperState.FILE));
        PrometheusMeterRegistry second = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Shipper shipper = Shipper.start(ShipperOptions.of(tsdb, bucketConfig, LABELS), second)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> shipper.passes() >= 1);
            assertThat(shipper.lastError()).isNull();
            assertThat(shipper.metrics().uploads()).isZero();
            assertThat(ShipperState.read(tsdb).uploaded()).containsExactlyElementsOf(blocks.stream().map(b -> b.getFileName().toString()).toList());
        }
    }
}
