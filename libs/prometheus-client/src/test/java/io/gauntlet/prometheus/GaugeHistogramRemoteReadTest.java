package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.proto.prometheus.WriteRequest;
import io.gauntlet.query.testing.NativeHistogramWorkload;
import io.gauntlet.query.testing.PrometheusReference;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Prometheus 2.42 does with a gauge histogram whose counts go down, pinned because no sidecar can do better: a
 * streamed remote read fails with HTTP 500 ("detected unexpected counter reset in histogram": 2.42 re-encodes a
 * trimmed or open chunk as a counter histogram), and a SAMPLES read answers the series without any of its histograms
 * (2.42 sends float samples only). The client (and so the sidecar) reports the first as its store being unavailable, with Prometheus'
 * words, so the querier's answer carries the warning instead of silently missing data; counter histograms stream.
 */
class GaugeHistogramRemoteReadTest {
    @TempDir
    Path directory;

    @Test
    void prometheus242CannotStreamAGaugeHistogramAndTheSidecarSaysSo() throws Exception {
        NativeHistogramWorkload workload = new NativeHistogramWorkload(40);
        try (PrometheusReference prometheus = PrometheusReference.start(directory, "global: {scrape_interval: 1h}\n")) {
            prometheus.write(workload.writeRequest());
            PrometheusClient client = new PrometheusClient(URI.create(prometheus.url()), Duration.ofSeconds(60));

            assertThatThrownBy(() -> read(client, workload, "queue_size_histogram", PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS).next())
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("HTTP 500").hasMessageContaining("detected unexpected counter reset in histogram");
            ChunkSeriesSet samples = read(client, workload, "queue_size_histogram", PrometheusClient.ReadMode.SAMPLES);
            assertThat(samples.next()).isTrue();
            assertThat(samples.chunks()).as("2.42 answers SAMPLES reads without histograms").isEmpty();

            ChunkSeriesSet counters = read(client, workload, NativeHistogramWorkload.METRIC, PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS);
            int series = 0;
            while (counters.next()) {
                assertThat(counters.chunks()).isNotEmpty();
                series++;
            }
            assertThat(series).isEqualTo((int) workload.writeRequest().getTimeseriesList().stream()
                    .filter(s -> s.getHistogramsCount() > 0 && name(s).equals(NativeHistogramWorkload.METRIC)).count());
        }
    }

    private static ChunkSeriesSet read(PrometheusClient client, NativeHistogramWorkload workload, String metric,
            PrometheusClient.ReadMode mode) throws Exception {
        return client.remoteRead(workload.start(), workload.end(), List.of(LabelMatcher.equal("__name__", metric)), Set.of(), mode);
    }

    private static String name(TimeSeries series) {
        return series.getLabelsList().stream().filter(l -> l.getName().equals("__name__")).findFirst().orElseThrow().getValue();
    }
}
