package io.gauntlet.sidecar;

import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.gauntlet.prometheus.testing.PrometheusWithData;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Test resource: a real Prometheus 2.42 with external labels {cluster, prometheus_replica}, 2h block durations, and
 * promtool-made blocks of generated node/web series over [{@link #DATA_START}, {@link #DATA_END}), scraping itself
 * every second ({@link PrometheusWithData}). The sidecar under test is pointed at it.
 */
public final class PrometheusWithBlocks implements QuarkusTestResourceLifecycleManager {
    static final Map<String, String> EXTERNAL_LABELS = PrometheusWithData.EXTERNAL_LABELS;
    static final long HOUR = PrometheusWithData.HOUR;
    static final long DATA_START = PrometheusWithData.DATA_START;
    static final long DATA_END = PrometheusWithData.DATA_END;
    static volatile PrometheusProcess prometheus;
    static volatile OpenMetricsGenerator.Summary generated;
    private PrometheusWithData data;

    @Override
    public Map<String, String> start() {
        try {
            data = PrometheusWithData.start(Files.createTempDirectory("gauntlet-sidecar-test"), null);
            prometheus = data.prometheus();
            generated = data.generated();
            return Map.of("gauntlet.sidecar.prometheus-url", prometheus.url().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (data != null) {
                data.close();
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cleaning up the test Prometheus failed", e);
        }
    }
}
