package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.tsdb.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Block events through a real Kafka broker: headers, keys, partitioning, and a malformed record stepped over. */
class BlockEventKafkaTest {
    private static final int PARTITIONS = 4;

    private static final List<Labels> GROUPS = List.of(
            Labels.of("cluster", "eu-1", "prometheus_replica", "0"),
            Labels.of("cluster", "eu-1", "prometheus_replica", "1"),
            Labels.of("cluster", "us-2", "prometheus_replica", "0"),
            Labels.of("cluster", "ap-3"));

    private static String ulid(int i) {
        return String.format("01HQ3Z5X8K9M2N4P6R7S8T%04d", i);
    }

    @Test
    void eventsComeBackWithTheirHeadersKeyedAndPartitionedByGroupAndMalformedOnesAreSkipped() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("block-events", PARTITIONS);
        List<BlockEvent> sent = new ArrayList<>();

        try (BlockEventPublisher publisher = BlockEventPublisher.create(kafka.clientConfig(), topic);
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < 12; i++) {
                Labels labels = GROUPS.get(i % GROUPS.size());
                BlockEvent event = BlockEvent.of(i % 3 == 2 ? BlockEventType.DELETED : BlockEventType.UPLOADED, ulid(i),
                        i * 7_200_000L, (i + 1) * 7_200_000L, labels, 0, 1, List.of(ulid(i)),
                        new BlockStats(100L * i, i, i), "gauntlet/test/producer");
                publisher.publish(event).get(30, TimeUnit.SECONDS);
                sent.add(event);
                if (i == 4) {
                    // not a CloudEvent: no ce_* headers, in the partition of a real group, between its events
                    raw.send(new ProducerRecord<>(topic, event.groupKey(), "{\"hello\":1}".getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
                }
            }
        }

        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, BlockEvent>> received = new ArrayList<>();
        try (BlockEventConsumer consumer = BlockEventConsumer.create(config)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                received.addAll(consumer.poll(Duration.ofMillis(200)));
                return received.size() >= sent.size();
            });
            assertThat(consumer.skipped()).as("the malformed record was stepped over").isEqualTo(1);
        }

        assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
        for (ConsumerRecord<String, BlockEvent> record : received) {
            BlockEvent event = record.value();
            assertThat(record.key()).isEqualTo(event.groupKey());
            int expectedPartition = Utils.toPositive(Utils.murmur2(record.key().getBytes(UTF_8))) % PARTITIONS;
            assertThat(record.partition()).as("Kafka's key partitioner places the group").isEqualTo(expectedPartition);
            assertThat(new String(record.headers().lastHeader("ce_specversion").value(), UTF_8)).isEqualTo("1.0");
            assertThat(new String(record.headers().lastHeader("ce_type").value(), UTF_8)).isEqualTo(event.type().cloudEventType());
            assertThat(new String(record.headers().lastHeader("ce_id").value(), UTF_8)).isEqualTo(event.id());
            assertThat(new String(record.headers().lastHeader("content-type").value(), UTF_8)).isEqualTo("application/json");
        }
        for (Labels group : GROUPS) {
            List<ConsumerRecord<String, BlockEvent>> ofGroup = received.stream()
                    .filter(record -> record.value().externalLabels().equals(group)).toList();
            assertThat(ofGroup).extracting(ConsumerRecord::partition).as("one group, one partition").containsOnly(ofGroup.get(0).partition());
            assertThat(ofGroup).extracting(record -> record.value().minTime()).as("in the order they were sent").isSorted();
        }
    }
}
