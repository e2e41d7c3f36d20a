package io.gauntlet.prometheus.testing;

import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus 2.42 with external labels {cluster, prometheus_replica}, 2h block durations and promtool-made
 * blocks of generated node/web series over [{@link #DATA_START}, {@link #DATA_END}) — 520 series, 4 h — optionally
 * behind a web config. Deletes its directory when closed.
 */
public final class PrometheusWithData implements AutoCloseable {
    public static final Map<String, String> EXTERNAL_LABELS = Map.of("cluster", "eu-1", "prometheus_replica", "prom-0");
    public static final long HOUR = 3_600_000;
    /** 2h-aligned, a day before now: inside retention, clear of the head. */
    public static final long DATA_START = (System.currentTimeMillis() / (2 * HOUR) - 12) * 2 * HOUR;
    public static final long DATA_END = DATA_START + 4 * HOUR;

    private final Path directory;
    private final PrometheusProcess prometheus;
    private final OpenMetricsGenerator.Summary generated;

    private PrometheusWithData(Path directory, PrometheusProcess prometheus, OpenMetricsGenerator.Summary generated) {
        this.directory = directory;
        this.prometheus = prometheus;
        this.generated = generated;
    }

    /** @param security null for plain HTTP */
    public static PrometheusWithData start(Path directory, PrometheusProcess.WebSecurity security) throws IOException {
        Files.createDirectories(directory);
        Promtool promtool = Promtool.require();
        Path input = directory.resolve("input.om");
        // random-walk gauges make big chunks: the answer for everything outgrows the socket buffers
        OpenMetricsGenerator.Summary generated = new OpenMetricsGenerator(42, 64, 400, 4, DATA_START, DATA_END - DATA_START, 10_000).write(input);
        List<Path> blocks = promtool.createBlocksFromOpenMetrics(input, directory.resolve("blocks"));
        Files.delete(input);
        PrometheusProcess prometheus = PrometheusProcess.start(directory.resolve("prometheus"), EXTERNAL_LABELS, blocks, "2h", "2h", security,
                List.of());
        return new PrometheusWithData(directory, prometheus, generated);
    }

    public PrometheusProcess prometheus() {
        return prometheus;
    }

    public OpenMetricsGenerator.Summary generated() {
        return generated;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            prometheus.close();
        } finally {
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
