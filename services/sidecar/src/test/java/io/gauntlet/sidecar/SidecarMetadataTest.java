package io.gauntlet.sidecar;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.store.MetadataClient;
import io.gauntlet.store.MetadataServer;
import io.gauntlet.store.MetricMeta;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.StoreException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's thanos.Metadata against a real Prometheus 2.42 scraping itself: over a real gRPC channel it answers
 * what Prometheus' own {@code /api/v1/metadata} answers for the same {@code metric} and {@code limit}.
 */
@QuarkusTest
@WithTestResource(PrometheusWithBlocks.class)
class SidecarMetadataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    GrpcServerLifecycle grpc;

    private ManagedChannel channel;
    private MetadataClient client;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
        client = new MetadataClient("sidecar", channel, Duration.ofSeconds(30));
        await("sidecar ready").atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);
        // Prometheus has metadata once it scraped itself
        await("prometheus metadata").atMost(Duration.ofSeconds(30)).until(() -> prometheusAnswer("metric=prometheus_build_info").containsKey("prometheus_build_info"));
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    /** Prometheus' own answer as metric → set of entries (Prometheus orders a metric's entries at random). */
    private static Map<String, Set<MetricMeta>> prometheusAnswer(String query) throws Exception {
        URI uri = PrometheusWithBlocks.prometheus.url().resolve("/api/v1/metadata" + (query.isEmpty() ? "" : "?" + query));
        JsonNode body = JSON.readTree(HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(body.path("status").asText()).isEqualTo("success");
        Map<String, Set<MetricMeta>> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> metric : body.path("data").properties()) {
            Set<MetricMeta> metas = new HashSet<>();
            metric.getValue().forEach(m -> metas.add(new MetricMeta(m.path("type").asText(), m.path("help").asText(), m.path("unit").asText())));
            out.put(metric.getKey(), metas);
        }
        return out;
    }

    private Map<String, Set<MetricMeta>> sidecarAnswer(String metric, int limit) throws StoreException {
        MetadataClient.Answer answer = client.metricMetadata(metric, limit, PartialResponse.ABORT);
        assertThat(answer.warnings()).isEmpty();
        assertThat(answer.frames()).hasSize(1);
        Map<String, Set<MetricMeta>> out = new TreeMap<>();
        answer.frames().get(0).forEach((name, metas) -> {
            assertThat(metas).doesNotHaveDuplicates();
            out.put(name, new HashSet<>(metas));
        });
        return out;
    }

    @Test
    void everyMetricAsPrometheusAnswers() throws Exception {
        // Prometheus may learn a metric between the two reads: the answers settle within a scrape or two
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(sidecarAnswer("", -1)).isEqualTo(prometheusAnswer("")));
        assertThat(sidecarAnswer("", -1)).containsKeys("prometheus_build_info", "prometheus_http_requests_total", "go_goroutines");
        assertThat(sidecarAnswer("prometheus_http_requests_total", -1).get("prometheus_http_requests_total"))
                .containsExactly(new MetricMeta("counter", "Counter of HTTP requests.", ""));
    }

    @Test
    void oneMetricAsPrometheusAnswers() throws Exception {
        for (String metric : List.of("prometheus_build_info", "up", "prometheus_http_request_duration_seconds", "process_cpu_seconds_total", "no_such_metric")) {
            String query = "metric=" + URLEncoder.encode(metric, StandardCharsets.UTF_8);
            assertThat(sidecarAnswer(metric, -1)).as(metric).isEqualTo(prometheusAnswer(query));
        }
        assertThat(sidecarAnswer("no_such_metric", -1)).isEmpty();
    }

    @Test
    void limitAsPrometheusAnswers() throws Exception {
        Map<String, Set<MetricMeta>> everything = prometheusAnswer("");
        for (int limit : List.of(0, 1, 5)) {
            // Prometheus picks which metrics at random: same count, and each one as in the full answer
            Map<String, Set<MetricMeta>> fromSidecar = sidecarAnswer("", limit);
            assertThat(fromSidecar).as("limit " + limit).hasSameSizeAs(prometheusAnswer("limit=" + limit)).hasSize(limit);
            fromSidecar.forEach((metric, metas) -> assertThat(everything).containsEntry(metric, metas));
        }
        assertThat(sidecarAnswer("go_goroutines", 1)).isEqualTo(prometheusAnswer("metric=go_goroutines&limit=1")).hasSize(1);
    }

    @Test
    void prometheusDownIsUnavailableNamingIt() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        URI down = URI.create("http://127.0.0.1:" + port);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new MetadataServer(new PrometheusClient(down, Duration.ofSeconds(5))).metadataService()).build().start();
        ManagedChannel toDown = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> new MetadataClient("down", toDown, Duration.ofSeconds(30)).metricMetadata("", -1, PartialResponse.ABORT))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.code()).isEqualTo("UNAVAILABLE");
                        assertThat(e.getMessage()).contains("prometheus " + down + " unreachable (/api/v1/metadata)");
                    });
        } finally {
            toDown.shutdownNow();
            server.shutdownNow();
        }
    }
}
