package io.gauntlet.events;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends block events keyed by their compaction group, so one group's events stay in one partition, in order. */
public final class BlockEventPublisher implements AutoCloseable {
    /** The topic unless configured otherwise. */
    public static final String DEFAULT_TOPIC = "gauntlet.blocks";

    private final Producer<String, BlockEvent> producer;
    private final String topic;

    public BlockEventPublisher(Producer<String, BlockEvent> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A Kafka producer from plain client config ({@code bootstrap.servers}, …) with idempotence and acks=all. */
    public static BlockEventPublisher create(Map<String, Object> config, String topic) {
        Map<String, Object> settings = new HashMap<>(Map.of("acks", "all", "enable.idempotence", true));
        settings.putAll(config);
        return new BlockEventPublisher(new KafkaProducer<>(settings, new StringSerializer(), new BlockEventSerializer()), topic);
    }

    public String topic() {
        return topic;
    }

    /** Completes once the broker has the event (or fails with the Kafka error). */
    public CompletableFuture<RecordMetadata> publish(BlockEvent event) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        producer.send(BlockEventSerializer.record(topic, event), (metadata, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
            } else {
                sent.complete(metadata);
            }
        });
        return sent;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
