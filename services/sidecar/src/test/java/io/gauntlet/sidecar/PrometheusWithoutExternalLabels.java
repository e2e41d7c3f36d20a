package io.gauntlet.sidecar;

import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Test resource: a real Prometheus 2.42 without external labels, whose min block duration (2h) differs from the max (6h). */
public final class PrometheusWithoutExternalLabels implements QuarkusTestResourceLifecycleManager {
    static volatile PrometheusProcess prometheus;
    private Path directory;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("gauntlet-sidecar-unready");
            prometheus = PrometheusProcess.start(directory, Map.of(), List.of(), "2h", "6h");
            return Map.of("gauntlet.sidecar.prometheus-url", prometheus.url().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cleaning up the test Prometheus failed", e);
        }
    }
}
