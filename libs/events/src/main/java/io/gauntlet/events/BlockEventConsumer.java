package io.gauntlet.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Polls block events and steps over records that are not block events: a malformed record is logged (with its
 * partition, offset and what is wrong) and skipped, so one bad producer cannot stall a consumer group.
 */
public final class BlockEventConsumer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BlockEventConsumer.class.getName());

    private final Consumer<String, BlockEvent> consumer;
    private long skipped;

    public BlockEventConsumer(Consumer<String, BlockEvent> consumer) {
        this.consumer = consumer;
    }

    /** A Kafka consumer from plain client config ({@code bootstrap.servers}, {@code group.id}, …) with the event deserializers. */
    public static BlockEventConsumer create(Map<String, Object> config) {
        return new BlockEventConsumer(new KafkaConsumer<>(config, new StringDeserializer(), new BlockEventDeserializer()));
    }

    public void subscribe(Collection<String> topics) {
        consumer.subscribe(topics);
    }

    /** The next block events (possibly none); malformed records on the way are skipped. */
    public List<ConsumerRecord<String, BlockEvent>> poll(Duration timeout) {
        try {
            List<ConsumerRecord<String, BlockEvent>> events = new ArrayList<>();
            consumer.poll(timeout).forEach(events::add);
            return events;
        } catch (RecordDeserializationException e) {
            skipped++;
            Throwable reason = e.getCause() == null ? e : e.getCause();
            LOG.log(System.Logger.Level.WARNING, "skipping a malformed block event at {0} offset {1}: {2}",
                    e.topicPartition(), e.offset(), reason.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return List.of();
        }
    }

    /** How many malformed records this consumer stepped over. */
    public long skipped() {
        return skipped;
    }

    /** The Kafka consumer underneath, for commits, assignment and seeks. */
    public Consumer<String, BlockEvent> kafkaConsumer() {
        return consumer;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
