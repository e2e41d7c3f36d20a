package io.gauntlet.tools.cli;

import io.gauntlet.compact.BlockEventSink;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.tools.ToolEvents;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/** Where the block events of a write command go: Kafka when bootstrap servers are given, nowhere otherwise. */
final class KafkaOptions {
    @Option(names = "--kafka.bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "${env:GAUNTLET_KAFKA_BOOTSTRAP_SERVERS}",
            description = "Kafka to publish block events to, so store gateways and compactors react at once "
                    + "(default: $GAUNTLET_KAFKA_BOOTSTRAP_SERVERS; none: no events).")
    String bootstrapServers;

    @Option(names = "--kafka.topic", paramLabel = "TOPIC", defaultValue = BlockEventPublisher.DEFAULT_TOPIC,
            description = "The block event topic (default: ${DEFAULT-VALUE}).")
    String topic;

    /** A publisher for one command run; each event waits for the broker's acknowledgement. */
    Session open() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            return new Session(null, ToolEvents.none());
        }
        BlockEventPublisher publisher = BlockEventPublisher.create(Map.of("bootstrap.servers", bootstrapServers, "max.block.ms", 15_000,
                "delivery.timeout.ms", 30_000, "request.timeout.ms", 15_000), topic);
        BlockEventSink sink = event -> {
            try {
                publisher.publish(event).get(45, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while publishing", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("Kafka " + bootstrapServers + " did not take the event: " + (e.getCause() == null ? e : e.getCause()), e);
            }
        };
        return new Session(publisher, new ToolEvents(sink, "gauntlet/tools"));
    }

    record Session(BlockEventPublisher publisher, ToolEvents events) implements AutoCloseable {
        @Override
        public void close() {
            if (publisher != null) {
                publisher.close();
            }
        }
    }
}
