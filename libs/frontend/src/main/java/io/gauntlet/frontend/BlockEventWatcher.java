package io.gauntlet.frontend;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventConsumer;
import io.gauntlet.events.KafkaErrorMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Feeds block events from Kafka into the {@link InvalidationLog}: its own consumer group (so every frontend sees every
 * event), from the latest offsets. Every {@code checkInterval} it asks the broker for the partitions' end offsets: when
 * that fails or the consumer lags, events are not flowing and the log falls back to the TTL until they do.
 */
public final class BlockEventWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BlockEventWatcher.class.getName());

    private final Map<String, Object> kafka;
    private final String topic;
    private final InvalidationLog log;
    private final Duration checkInterval;
    private final Thread thread;
    private final Counter uploaded;
    private final Counter marked;
    private final Counter deleted;
    private volatile boolean stopping;
    private volatile BlockEventConsumer consumer;
    /** The partitions' end offsets at the previous check (only the watcher's thread uses it). */
    private Map<TopicPartition, Long> previousEnds = Map.of();

    /**
     * @param kafka  Kafka client properties ({@code bootstrap.servers}, TLS, SASL …); {@code group.id} is given here
     */
    public BlockEventWatcher(Map<String, Object> kafka, String groupId, String topic, InvalidationLog log, Duration checkInterval,
                             MeterRegistry meters) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put("group.id", groupId);
        config.put("client.id", groupId);
        config.put("auto.offset.reset", "latest");
        config.put("enable.auto.commit", "true");
        // the broker answers as soon as an event arrives (fetch.min.bytes 1); this only spaces the empty fetches while none
        // does, which at 100 ms were the idle frontend's largest CPU use
        config.put("fetch.max.wait.ms", "500");
        config.putIfAbsent("default.api.timeout.ms", (int) Math.max(2000, checkInterval.toMillis()));
        this.kafka = config;
        this.topic = topic;
        this.log = log;
        this.checkInterval = checkInterval;
        this.uploaded = events(meters, "uploaded");
        this.marked = events(meters, "marked-for-deletion");
        this.deleted = events(meters, "deleted");
        Gauge.builder("gauntlet_query_frontend_block_events_live", log, l -> l.live() ? 1 : 0)
                .description("1 while block events flow (cached extents kept until an event touches them), 0 while the cache falls back "
                        + "to cache-ttl-without-events.").register(meters);
        this.thread = Thread.ofPlatform().name("frontend-block-events").daemon().unstarted(this::run);
    }

    private static Counter events(MeterRegistry meters, String type) {
        return Counter.builder("gauntlet_query_frontend_block_events").tag("type", type)
                .description("Block events received; each makes the cached extents it touches stale.").register(meters);
    }

    public BlockEventWatcher start() {
        LOG.log(System.Logger.Level.INFO, "invalidating cached results by block events from {0} topic {1} as group {2}",
                kafka.get("bootstrap.servers"), topic, kafka.get("group.id"));
        thread.start();
        return this;
    }

    private void run() {
        while (!stopping) {
            try (BlockEventConsumer events = BlockEventConsumer.create(kafka)) {
                consumer = events;
                if (stopping) {
                    return;
                }
                events.subscribe(List.of(topic));
                long nextCheck = 0;
                while (!stopping) {
                    for (ConsumerRecord<String, BlockEvent> record : events.poll(Duration.ofMillis(200))) {
                        apply(record.value());
                    }
                    long now = System.currentTimeMillis();
                    if (now >= nextCheck) {
                        check(events.kafkaConsumer());
                        nextCheck = now + checkInterval.toMillis();
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
                return;
            } catch (RuntimeException e) {
                previousEnds = Map.of();
                log.setLive(false, KafkaErrorMessages.describe(e));
                try {
                    Thread.sleep(2_000); // back-off between reconnects, not a test wait
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Events flow when the partitions are assigned, the broker answers and the consumer has reached, in each, the end the
     * broker reported at the previous check (an event that arrived since is on its way, not a lag).
     */
    private void check(Consumer<String, BlockEvent> kafkaConsumer) {
        Set<TopicPartition> assignment = kafkaConsumer.assignment();
        if (assignment.isEmpty()) {
            previousEnds = Map.of();
            try {
                kafkaConsumer.partitionsFor(topic, checkInterval);
                log.setLive(false, "no partitions of " + topic + " assigned yet");
            } catch (RuntimeException e) {
                log.setLive(false, "Kafka unreachable: " + KafkaErrorMessages.describe(e));
            }
            return;
        }
        try {
            Map<TopicPartition, Long> ends = kafkaConsumer.endOffsets(assignment, checkInterval);
            long lag = 0;
            for (TopicPartition partition : assignment) {
                long reached = previousEnds.containsKey(partition) ? previousEnds.get(partition) : ends.getOrDefault(partition, 0L);
                lag += Math.max(0, reached - kafkaConsumer.position(partition, checkInterval));
            }
            previousEnds = Map.copyOf(ends);
            if (lag == 0) {
                log.coverageStarted();
                log.setLive(true, "");
            } else {
                log.setLive(false, "the event consumer lags " + lag + " events behind");
            }
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.setLive(false, "Kafka unreachable: " + KafkaErrorMessages.describe(e));
        }
    }

    private void apply(BlockEvent event) {
        switch (event.type()) {
            case UPLOADED -> uploaded.increment();
            case MARKED_FOR_DELETION -> marked.increment();
            case DELETED -> deleted.increment();
        }
        log.add(event.minTime(), event.maxTime(), event.externalLabels());
        LOG.log(System.Logger.Level.DEBUG, "block {0} {1} [{2}, {3}] {4}: cached extents over it are stale", event.ulid(), event.type(),
                event.minTime(), event.maxTime(), event.externalLabels());
    }

    @Override
    public void close() {
        stopping = true;
        BlockEventConsumer running = consumer;
        if (running != null) {
            running.kafkaConsumer().wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
