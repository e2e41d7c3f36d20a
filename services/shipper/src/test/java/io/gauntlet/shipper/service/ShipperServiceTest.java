package io.gauntlet.shipper.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventDeserializer;
import io.gauntlet.events.CompactionGroupKey;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.shipper.TsdbBlocks;
import io.gauntlet.tsdb.block.BlockMeta;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The service as users run it: blocks appear in the TSDB directory → bucket + Kafka events, and the HTTP endpoints. */
@QuarkusTest
@QuarkusTestResource(value = ShipperTestEnvironment.class, restrictToAnnotatedClass = true)
class ShipperServiceTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "service", "prometheus_replica", "0");

    @Test
    void shipsPromtoolBlocksAnnouncesThemAndReportsMetrics() throws Exception {
        given().get("/-/healthy").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);

        Path work = Files.createTempDirectory("gauntlet-shipper-service-work-");
        List<Path> blocks = TsdbBlocks.promtoolBlocks(work, 5, 4);
        for (Path block : blocks) {
            TsdbBlocks.install(block, ShipperTestEnvironment.tsdb);
        }
        List<String> expected = blocks.stream().map(block -> block.getFileName().toString()).toList();
        try (Bucket bucket = BucketFactory.create(BucketConfig.s3(ShipperTestEnvironment.bucket));
             KafkaConsumer<String, BlockEvent> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> expected.stream().allMatch(ulid -> bucket.exists(ulid + "/meta.json")));
            for (String ulid : expected) {
                try (InputStream in = bucket.get(ulid + "/meta.json")) {
                    BlockMeta meta = BlockMeta.parse(in.readAllBytes(), ulid);
                    assertThat(meta.thanos().labels()).isEqualTo(LABELS);
                    assertThat(meta.thanos().source()).isEqualTo("sidecar");
                }
            }
            List<ConsumerRecord<String, BlockEvent>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected.size();
            });
            assertThat(records).extracting(record -> record.value().ulid()).containsExactlyElementsOf(expected);
            assertThat(records).extracting(ConsumerRecord::key).containsOnly(CompactionGroupKey.of(0, LABELS));
        } finally {
            TsdbBlocks.deleteTree(work);
        }
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("thanos_shipper_uploads_total " + expected.size() + ".0", "thanos_shipper_upload_failures_total 0.0",
                "thanos_shipper_dir_syncs_total", "thanos_objstore_bucket_operations_total");
        assertThat(metrics).containsPattern("thanos_shipper_last_upload_timestamp_seconds [1-9]");
        given().get("/-/ready").then().statusCode(200);
    }

    private static KafkaConsumer<String, BlockEvent> consumer() {
        KafkaConsumer<String, BlockEvent> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", KafkaFixture.shared().bootstrapServers(),
                "group.id", "shipper-service-test-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest"), new StringDeserializer(), new BlockEventDeserializer());
        consumer.subscribe(List.of(ShipperTestEnvironment.topic));
        return consumer;
    }
}
