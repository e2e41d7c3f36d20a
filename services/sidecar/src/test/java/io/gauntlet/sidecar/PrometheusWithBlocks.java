package io.gauntlet.sidecar;

import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Test resource: a real Prometheus 2.42 with external labels {cluster, prometheus_replica}, 2h block durations, and
 * promtool-made blocks of generated node/web series over [{@link #DATA_START}, {@link #DATA_END}), scraping itself
 * every second. The sidecar under test is pointed at it.
 */
public final class PrometheusWithBlocks implements QuarkusTestResourceLifecycleManager {
    static final Map<String, String> EXTERNAL_LABELS = Map.of("cluster", "eu-1", "prometheus_replica", "prom-0");
    static final long HOUR = 3_600_000;
    /** 2h-aligned, a day before now: inside retention, clear of the head. */
    static final long DATA_START = (System.currentTimeMillis() / (2 * HOUR) - 12) * 2 * HOUR;
    static final long DATA_END = DATA_START + 4 * HOUR;
    static volatile PrometheusProcess prometheus;
    static volatile OpenMetricsGenerator.Summary generated;
    private Path directory;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("gauntlet-sidecar-test");
            Promtool promtool = Promtool.require();
            Path input = directory.resolve("input.om");
            // random-walk gauges make big chunks: the answer for everything outgrows the socket buffers (outage test)
            generated = new OpenMetricsGenerator(42, 64, 400, 4, DATA_START, DATA_END - DATA_START, 10_000).write(input);
            List<Path> blocks = promtool.createBlocksFromOpenMetrics(input, directory.resolve("blocks"));
            Files.delete(input);
            prometheus = PrometheusProcess.start(directory.resolve("prometheus"), EXTERNAL_LABELS, blocks, "2h", "2h");
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
            if (directory != null) {
                try (var paths = Files.walk(directory)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cleaning up the test Prometheus failed", e);
        }
    }
}
