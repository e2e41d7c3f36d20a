package io.gauntlet.querier;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.tsdb.Labels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Endpoints for the querier's StoreAPI tests: one HA replica and a rules-only endpoint listed statically, the other
 * replica in an endpoints file the test rewrites, and a store the file may add later.
 */
public class StoreApiResource implements QuarkusTestResourceLifecycleManager {
    static StoreFixture replica1;
    static StoreFixture replica2;
    static StoreFixture rulesOnly;
    static StoreFixture late;
    static Path endpointsFile;
    private final List<StoreFixture> stores = new ArrayList<>();
    private Path directory;

    @Override
    public Map<String, String> start() {
        try {
            replica1 = StoreFixture.serve(TestData.haReplica("r1"));
            replica2 = StoreFixture.serve(TestData.haReplica("r2"));
            rulesOnly = StoreFixture.infoOnly("rule", Labels.of("cluster", "rules"));
            late = StoreFixture.serve(new MemoryChunkSource("sidecar", Labels.of("cluster", "late"))
                    .add(Labels.of("__name__", "late_metric"), new long[] {TestData.T_HA, TestData.T_HA + 15_000}, new double[] {1, 2}));
            stores.addAll(List.of(replica1, replica2, rulesOnly, late));
            directory = Files.createTempDirectory("querier-endpoints");
            endpointsFile = directory.resolve("endpoints.yaml");
            writeEndpointsFile(List.of(replica2.address()));
            return Map.of("gauntlet.querier.endpoints", replica1.address() + "," + rulesOnly.address(),
                    "gauntlet.querier.endpoints-file", endpointsFile.toString(),
                    "gauntlet.querier.replica-labels", "replica",
                    "gauntlet.querier.info-interval", "1s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the endpoints file as a ConfigMap update does: a new file renamed over the old one. */
    static void writeEndpointsFile(List<String> targets) throws IOException {
        Path next = endpointsFile.resolveSibling("endpoints.yaml.next");
        Files.writeString(next, "- targets: [" + String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()) + "]\n");
        Files.move(next, endpointsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void stop() {
        for (StoreFixture store : stores) {
            try {
                store.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
