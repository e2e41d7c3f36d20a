package io.gauntlet.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.tsdb.Labels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Block events from a real Kafka broker reach the invalidation log; an unreachable broker means the TTL applies. */
class BlockEventWatcherTest {
    @Test
    void eventsFromKafkaBecomeChangesAndFlowIsReported() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("frontend-events", 2);
        InvalidationLog log = new InvalidationLog(Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(5), Duration.ZERO, 1000);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (BlockEventWatcher watcher = new BlockEventWatcher(new HashMap<>(kafka.clientConfig()), "frontend-test-" + UUID.randomUUID(), topic,
                log, Duration.ofMillis(500), meters).start();
             BlockEventPublisher publisher = BlockEventPublisher.create(new HashMap<>(kafka.clientConfig()), topic)) {
            await("events flow").atMost(Duration.ofSeconds(60)).until(log::live);
            publisher.publish(BlockEvent.of(BlockEventType.UPLOADED, "01HZZZZZZZZZZZZZZZZZZZZZZZ", 1000, 7_201_000,
                    Labels.of("cluster", "eu", "prometheus_replica", "a"), 0, 1, List.of("01HZZZZZZZZZZZZZZZZZZZZZZZ"), BlockStats.EMPTY,
                    "gauntlet/test")).get();
            await("the event arrives").atMost(Duration.ofSeconds(30)).until(() -> log.size() == 1);
            InvalidationLog.Change change = log.changes().getFirst();
            assertThat(change.minTime()).isEqualTo(1000);
            assertThat(change.maxTime()).isEqualTo(7_201_000);
            assertThat(change.externalLabels().get("cluster")).isEqualTo("eu");
            assertThat(meters.get("gauntlet_query_frontend_block_events").tag("type", "uploaded").counter().count()).isEqualTo(1);
            assertThat(meters.get("gauntlet_query_frontend_block_events_live").gauge().value()).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableBrokerMeansEventsDoNotFlow() throws Exception {
        InvalidationLog log = new InvalidationLog(Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(5), Duration.ZERO, 1000);
        int closedPort = io.gauntlet.objstore.DepsScript.freePort();
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort,
                "reconnect.backoff.max.ms", "500"));
        try (BlockEventWatcher watcher = new BlockEventWatcher(config, "frontend-test-down", "gauntlet.blocks", log, Duration.ofMillis(300),
                new SimpleMeterRegistry()).start()) {
            // stays not live: nothing marks it live, and the cache keeps to the TTL
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !log.live());
        }
    }
}
