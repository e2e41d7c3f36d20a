package io.gauntlet.compactor;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A compactor whose block events are delivered over HTTP (as by a Knative KafkaSource): a FILESYSTEM bucket, no Kafka,
 * the default consistency delay, so only blocks announced by a delivered event are seen.
 */
public class CloudEventsTestEnvironment implements QuarkusTestResourceLifecycleManager {
    static Path bucket;

    @Override
    public Map<String, String> start() {
        try {
            bucket = Files.createTempDirectory("gauntlet-compactor-cloudevents-bucket-");
            Path data = Files.createTempDirectory("gauntlet-compactor-cloudevents-data-");
            return Map.of(
                    "gauntlet.compactor.objstore-config", "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n",
                    "gauntlet.compactor.data-dir", data.toString(),
                    "gauntlet.compactor.kafka.consume", "false",
                    "gauntlet.compactor.deduplication.replica-label", "replica");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // temp directories
    }
}
