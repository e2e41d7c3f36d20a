package io.gauntlet.compactor;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A FILESYSTEM bucket and a data directory for the service under test; no Kafka (the periodic sync does the work). */
public class CompactorTestEnvironment implements QuarkusTestResourceLifecycleManager {
    static Path bucket;

    @Override
    public Map<String, String> start() {
        try {
            bucket = Files.createTempDirectory("gauntlet-compactor-service-bucket-");
            Path data = Files.createTempDirectory("gauntlet-compactor-service-data-");
            return Map.of(
                    "gauntlet.compactor.objstore-config", "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n",
                    "gauntlet.compactor.data-dir", data.toString(),
                    "gauntlet.compactor.wait-interval", "500ms",
                    "gauntlet.compactor.consistency-delay", "0s",
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
