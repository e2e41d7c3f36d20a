package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.store.testing.TestServers;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MetadataServer and MetadataClient over a real (in-process) gRPC channel. */
class MetadataServerTest {
    private static final MetricMeta UP = new MetricMeta("gauge", "Whether the target answered.", "");
    private static final MetricMeta REQUESTS = new MetricMeta("counter", "Requests <served> & \"answered\".", "");
    private static final MetricMeta DURATION = new MetricMeta("histogram", "Request time.", "seconds");

    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    /** A source that answers like Prometheus: the named metric only, at most {@code limit} names (unless it ignores it). */
    private static MetadataSource prometheusLike(boolean honoursLimit) {
        Map<String, List<MetricMeta>> all = new LinkedHashMap<>();
        all.put("up", List.of(UP));
        all.put("http_requests_total", List.of(REQUESTS));
        all.put("http_request_duration_seconds", List.of(DURATION, new MetricMeta("summary", "Old request time.", "")));
        return (metric, limit) -> {
            Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
            for (var entry : all.entrySet()) {
                if ((metric.isEmpty() || metric.equals(entry.getKey())) && (!honoursLimit || limit < 0 || out.size() < limit)) {
                    out.put(entry.getKey(), entry.getValue());
                }
            }
            return out;
        };
    }

    private MetadataClient serve(MetadataSource source) throws IOException {
        ManagedChannel channel = servers.inProcess(List.of(new MetadataServer(source).metadataService().bindService()));
        return new MetadataClient("metadata", channel, Duration.ofSeconds(20));
    }

    @Test
    void answersEveryMetricWithAllItsEntriesInOneFrame() throws Exception {
        MetadataClient.Answer answer = serve(prometheusLike(true)).metricMetadata("", -1, PartialResponse.WARN);
        assertThat(answer.warnings()).isEmpty();
        assertThat(answer.frames()).hasSize(1);
        assertThat(answer.frames().get(0)).containsOnlyKeys("up", "http_requests_total", "http_request_duration_seconds");
        assertThat(answer.frames().get(0).get("http_requests_total")).containsExactly(REQUESTS);
        assertThat(answer.frames().get(0).get("http_request_duration_seconds")).containsExactly(DURATION,
                new MetricMeta("summary", "Old request time.", ""));
    }

    @Test
    void metricAndLimitSelect() throws Exception {
        MetadataClient client = serve(prometheusLike(true));
        assertThat(client.metricMetadata("up", -1, PartialResponse.WARN).frames().get(0)).containsOnlyKeys("up");
        assertThat(client.metricMetadata("", 2, PartialResponse.WARN).frames().get(0)).hasSize(2);
        assertThat(client.metricMetadata("", 0, PartialResponse.WARN).frames().get(0)).isEmpty();
        assertThat(client.metricMetadata("nope", -1, PartialResponse.WARN).frames().get(0)).isEmpty();
    }

    @Test
    void limitHoldsEvenWhenTheSourceIgnoresIt() throws Exception {
        MetadataClient client = serve(prometheusLike(false));
        assertThat(client.metricMetadata("", 1, PartialResponse.WARN).frames().get(0)).containsOnlyKeys("up");
        assertThat(client.metricMetadata("", 0, PartialResponse.WARN).frames().get(0)).isEmpty();
    }

    @Test
    void sourceFailuresBecomeGrpcStatusesNamingTheBackend() throws Exception {
        MetadataClient down = serve((metric, limit) -> {
            throw new StoreUnavailableException("prometheus http://127.0.0.1:1 unreachable (/api/v1/metadata): connection refused");
        });
        assertThatThrownBy(() -> down.metricMetadata("", -1, PartialResponse.ABORT)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.code()).isEqualTo("UNAVAILABLE");
            assertThat(e.getMessage()).contains(down.name()).contains("prometheus http://127.0.0.1:1 unreachable");
        });
        MetadataClient refusing = serve((metric, limit) -> {
            throw new IllegalArgumentException("bad metric name");
        });
        assertThatThrownBy(() -> refusing.metricMetadata("", -1, PartialResponse.ABORT))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("INVALID_ARGUMENT"));
        MetadataClient broken = serve((metric, limit) -> {
            throw new StorageException("answer was not JSON");
        });
        assertThatThrownBy(() -> broken.metricMetadata("", -1, PartialResponse.ABORT))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("INTERNAL"));
    }

    @Test
    void anEndpointWithoutTheMetadataApiAnswersUnimplemented() throws Exception {
        ManagedChannel channel = servers.inProcess(List.of(
                new StoreServer(new FakeChunkSource(Labels.of("a", "b"))).infoService().bindService()));
        assertThatThrownBy(() -> new MetadataClient("info-only", channel, Duration.ofSeconds(20)).metricMetadata("", -1, PartialResponse.WARN))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo(MetadataClient.UNIMPLEMENTED));
    }
}
