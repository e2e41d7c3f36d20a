package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.proto.thanos.exemplars.ExemplarData;
import io.gauntlet.proto.thanos.exemplars.ExemplarsGrpc;
import io.gauntlet.proto.thanos.exemplars.ExemplarsRequest;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.targets.TargetDiscovery;
import io.gauntlet.proto.thanos.targets.TargetsGrpc;
import io.gauntlet.proto.thanos.targets.TargetsRequest;
import io.gauntlet.proto.thanos.targets.TargetsResponse;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.ExemplarsFanOut;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.query.StatusFanOut;
import io.gauntlet.query.TargetsFanOut;
import io.gauntlet.service.GrpcServerLifecycle;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/query_exemplars} and {@code /api/v1/targets} through the querier → a real Gauntlet sidecar (and a
 * second replica of it) → Prometheus 2.42 answer what that Prometheus answers, with the external label
 * {@code cluster="ex"} added (the replica label {@code replica} removed by deduplication); the sidecar's own gRPC answers
 * carry both external labels.
 */
@QuarkusTest
@QuarkusTestResource(value = ExemplarStoresResource.class, restrictToAnnotatedClass = true)
class ExemplarsTargetsApiTest {
    @Inject
    GrpcServerLifecycle grpc;

    private static final String QUERY = "gauntlet_test_requests_total";
    private static final Map<String, String> SIDECAR_LABELS = Map.of("cluster", "ex", "replica", "a");
    private static final Map<String, String> DEDUPLICATED_LABELS = Map.of("cluster", "ex");

    @BeforeEach
    void storesUp() {
        String skip = ConfigProvider.getConfig().getOptionalValue("test.exemplars-skip", String.class).orElse("");
        Assumptions.assumeTrue(skip.isEmpty(), skip + ": skipping");
        QuerierTesting.awaitStoresHealthy(3);
        await("prometheus has the exporter's exemplars").atMost(Duration.ofSeconds(30))
                .until(() -> prometheusExemplars().size() == 2);
    }

    private static ArrayNode prometheusExemplars() {
        return (ArrayNode) get(prometheusUrl(), "/api/v1/query_exemplars?query=" + QUERY).json().path("data");
    }

    /** Prometheus' exemplar series with these labels added, as a set (the order of series is not part of the contract). */
    private static Set<JsonNode> withLabels(JsonNode series, Map<String, String> labels) {
        Set<JsonNode> out = new HashSet<>();
        for (JsonNode one : series) {
            ObjectNode copy = one.deepCopy();
            labels.forEach(((ObjectNode) copy.path("seriesLabels"))::put);
            out.add(copy);
        }
        return out;
    }

    private static Set<JsonNode> set(JsonNode array) {
        Set<JsonNode> out = new HashSet<>();
        array.forEach(out::add);
        return out;
    }

    private static ManagedChannel sidecar() {
        int port = ConfigProvider.getConfig().getValue("test.sidecar-grpc-port", Integer.class);
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Test
    void sidecarAnnouncesExemplarsAndTargetsAsThanosSidecarDoes() {
        ManagedChannel channel = sidecar();
        try {
            InfoResponse info = InfoGrpc.newBlockingStub(channel).info(InfoRequest.getDefaultInstance());
            assertThat(info.getComponentType()).isEqualTo("sidecar");
            assertThat(info.hasTargets()).isTrue();
            assertThat(info.hasMetricMetadata()).isTrue();
            assertThat(info.getExemplars().getMinTime()).isEqualTo(-9223309901257974L);
            assertThat(info.getExemplars().getMaxTime()).isEqualTo(9223309901257974L);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void sidecarServesPrometheusExemplarsWithItsExternalLabels() throws Exception {
        ManagedChannel channel = sidecar();
        try {
            List<ExemplarData> frames = new ArrayList<>();
            ExemplarsGrpc.newBlockingStub(channel).exemplars(ExemplarsRequest.newBuilder().setQuery(QUERY)
                    .setStart(0).setEnd(System.currentTimeMillis() + 60_000).build()).forEachRemaining(r -> frames.add(r.getData()));
            JsonNode fromSidecar = QuerierTesting.JSON.readTree(ExemplarsFanOut.dataJson(frames));
            assertThat(set(fromSidecar)).isEqualTo(withLabels(prometheusExemplars(), SIDECAR_LABELS));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void sidecarServesPrometheusTargetsWithItsExternalLabels() {
        ManagedChannel channel = sidecar();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<TargetsResponse> frames = new ArrayList<>();
                TargetsGrpc.newBlockingStub(channel).targets(TargetsRequest.getDefaultInstance()).forEachRemaining(frames::add);
                assertThat(frames).hasSize(1);
                TargetDiscovery targets = frames.getFirst().getTargets();
                JsonNode fromSidecar = QuerierTesting.JSON.readTree(TargetsFanOut.dataJson(targets.getActiveTargetsList(),
                        targets.getDroppedTargetsList()));
                assertThat(fromSidecar).isEqualTo(targetsWithLabels(get(prometheusUrl(), "/api/v1/targets").json().path("data"), SIDECAR_LABELS));
            });
        } finally {
            channel.shutdownNow();
        }
    }

    /** Prometheus' targets data with these labels added to every discovered and target label set. */
    private static JsonNode targetsWithLabels(JsonNode data, Map<String, String> labels) {
        ObjectNode copy = data.deepCopy();
        for (JsonNode target : copy.path("activeTargets")) {
            labels.forEach(((ObjectNode) target.path("discoveredLabels"))::put);
            labels.forEach(((ObjectNode) target.path("labels"))::put);
        }
        for (JsonNode target : copy.path("droppedTargets")) {
            labels.forEach(((ObjectNode) target.path("discoveredLabels"))::put);
        }
        return copy;
    }

    @Test
    void querierAnswersExemplarsAsPrometheusOnceForBothReplicas() {
        long now = System.currentTimeMillis() / 1000;
        for (String query : List.of("query=" + QUERY, "query=" + encode("rate(" + QUERY + "{path=\"/a\"}[5m])"),
                "query=" + encode(QUERY + "{cluster=\"ex\"}") + "&start=" + (now - 600) + "&end=" + (now + 60),
                "query=" + encode("sum(" + QUERY + ") + " + QUERY + "{path=\"/b\"}"))) {
            QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/query_exemplars?" + query);
            assertThat(answer.status()).as(query + ": " + answer.body()).isEqualTo(200);
            // Prometheus has no external labels: the selector on cluster is for the querier only
            String forPrometheus = query.replace(encode("{cluster=\"ex\"}"), "");
            assertThat(set(answer.json().path("data"))).as(query)
                    .isEqualTo(withLabels(get(prometheusUrl(), "/api/v1/query_exemplars?" + forPrometheus).json().path("data"), DEDUPLICATED_LABELS));
            assertThat(answer.json().path("data")).as(query).hasSizeLessThanOrEqualTo(2);
        }
        // a selector the external labels contradict asks nobody
        QuerierTesting.Answer other = get(querierUrl(), "/api/v1/query_exemplars?query=" + encode(QUERY + "{cluster=\"elsewhere\"}")
                + "&partial_response=false");
        assertThat(other.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void exemplarsOfADownStoreAreAWarningWithPartialResponseAndAnErrorWithout() {
        QuerierTesting.Answer partial = get(querierUrl(), "/api/v1/query_exemplars?query=" + QUERY);
        assertThat(partial.json().path("warnings")).singleElement().extracting(JsonNode::asText).asString()
                .contains("UNAVAILABLE").contains("prometheus " + ExemplarStoresResource.DOWN_PROMETHEUS + " unreachable");
        QuerierTesting.Answer strict = get(querierUrl(), "/api/v1/query_exemplars?query=" + QUERY + "&partial_response=false");
        assertThat(strict.status()).isEqualTo(500);
        assertThat(strict.json().path("errorType").asText()).isEqualTo("internal");
        assertThat(strict.json().path("error").asText()).startsWith("retrieving exemplars: ");
    }

    @Test
    void exemplarsParametersAreCheckedAsPrometheusChecksThem() {
        for (String query : List.of("query=" + encode("up{"), "query=up&start=abc", "query=up&end=abc", "query=up&start=10&end=5", "")) {
            QuerierTesting.Answer fromPrometheus = get(prometheusUrl(), "/api/v1/query_exemplars?" + query);
            QuerierTesting.Answer fromQuerier = get(querierUrl(), "/api/v1/query_exemplars?" + query);
            assertThat(fromQuerier.status()).as(query).isEqualTo(fromPrometheus.status()).isEqualTo(400);
            assertThat(fromQuerier.body()).as(query).isEqualTo(fromPrometheus.body());
        }
        // no selector: Prometheus answers 204 without a body
        QuerierTesting.Answer noSelector = get(querierUrl(), "/api/v1/query_exemplars?query=1%2B1");
        assertThat(noSelector.status()).isEqualTo(get(prometheusUrl(), "/api/v1/query_exemplars?query=1%2B1").status()).isEqualTo(204);
        assertThat(noSelector.body()).isEmpty();
    }

    @Test
    void querierAnswersTargetsAsPrometheusOnceForBothReplicas() {
        for (String query : List.of("", "?state=active", "?state=Dropped", "?state=any", "?state=bogus", "?scrapePool=" + ExemplarStoresResource.EXPORTER_JOB,
                "?scrapePool=" + ExemplarStoresResource.DROPPED_JOB, "?scrapePool=none", "?state=dropped&scrapePool=" + ExemplarStoresResource.EXPORTER_JOB)) {
            // a scrape between the two reads changes lastScrape: read again until both fall between the same two scrapes
            await(query).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/targets" + query);
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                JsonNode expected = targetsWithLabels(get(prometheusUrl(), "/api/v1/targets" + query).json().path("data"), DEDUPLICATED_LABELS);
                assertThat(answer.json().path("data")).as(query).isEqualTo(expected);
            });
        }
        QuerierTesting.Answer strict = get(querierUrl(), "/api/v1/targets?partial_response=false");
        assertThat(strict.status()).isEqualTo(500);
        assertThat(strict.json().path("error").asText()).startsWith("retrieving targets: ")
                .contains("prometheus " + ExemplarStoresResource.DOWN_PROMETHEUS + " unreachable");
        assertThat(get(querierUrl(), "/api/v1/targets").json().path("warnings")).hasSize(1);
    }

    /**
     * Querier A → this querier (B) → sidecar: B's Info announces exemplars and targets while its endpoints offer them,
     * and A — the same fan-outs as this querier's HTTP API, over B's gRPC — answers what B's HTTP API answers.
     */
    @Test
    void anUpperQuerierAnswersExemplarsAndTargetsAsThisQuerierDoes() throws Exception {
        QuerierLoopGuard upperGuard = new QuerierLoopGuard();
        try (EndpointSet upper = new EndpointSet(List.of("127.0.0.1:" + grpc.port()), List::of, upperGuard, Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5));
                ExemplarsFanOut upperExemplars = new ExemplarsFanOut(upper::healthy, Duration.ofSeconds(30));
                TargetsFanOut upperTargets = new TargetsFanOut(upper::healthy, Duration.ofSeconds(30))) {
            await("the querier announces exemplars and targets").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                upper.refresh();
                assertThat(upper.healthy()).singleElement().satisfies(endpoint -> {
                    assertThat(endpoint.info().getComponentType()).isEqualTo("query");
                    assertThat(endpoint.info().hasExemplars()).isTrue();
                    assertThat(endpoint.info().hasTargets()).isTrue();
                    assertThat(endpoint.info().hasRules()).isFalse(); // no endpoint here offers rules
                });
            });
            List<String> replicaLabels = List.of("replica");
            for (String query : List.of(QUERY, "rate(" + QUERY + "{path=\"/a\"}[5m])", "sum(" + QUERY + ") + " + QUERY + "{path=\"/b\"}")) {
                JsonNode fromUpper = QuerierTesting.JSON.readTree(upperExemplars.apiAnswer(query, null, null, replicaLabels, true));
                QuerierTesting.Answer fromLower = get(querierUrl(), "/api/v1/query_exemplars?query=" + encode(query));
                assertThat(set(fromUpper.path("data"))).as(query).isEqualTo(set(fromLower.json().path("data"))).isNotEmpty();
                assertThat(fromUpper.path("warnings")).as(query).isEqualTo(fromLower.json().path("warnings"));
            }
            // Thanos' per-endpoint rewrite: one of B's label sets (cluster="down") contradicts the selector, so A asks B nothing
            assertThat(upperExemplars.apiAnswer(QUERY + "{cluster=\"ex\"}", null, null, replicaLabels, false))
                    .isEqualTo("{\"status\":\"success\",\"data\":[]}");
            assertThatThrownBy(() -> upperExemplars.apiAnswer(QUERY, null, null, replicaLabels, false))
                    .hasMessageStartingWith("retrieving exemplars: ").hasMessageContaining("ABORTED");
            await("targets between two scrapes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode fromUpper = QuerierTesting.JSON.readTree(upperTargets.apiAnswer("", "", replicaLabels, true));
                assertThat(fromUpper).isEqualTo(get(querierUrl(), "/api/v1/targets").json());
            });
        }
    }

    /**
     * {@code /api/v1/status/tsdb}: the sidecar serves its Prometheus' TSDB statistics as {@code thanos.Status} (the
     * library replica and the down endpoint do not offer it), so the querier answers what that Prometheus answers; a
     * querier above answers the same through this querier's own {@code thanos.Status}.
     */
    @Test
    void tsdbStatusIsThePrometheusAnswerAlsoOneQuerierUp() throws Exception {
        await("tsdb status equals Prometheus' between two scrapes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/status/tsdb");
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.json()).isEqualTo(get(prometheusUrl(), "/api/v1/status/tsdb").json());
        });
        QuerierTesting.Answer badLimit = get(querierUrl(), "/api/v1/status/tsdb?limit=abc");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.json().path("errorType").asText()).isEqualTo("bad_data");
        assertThat(get(querierUrl(), "/api/v1/status/tsdb?limit=1").json().path("data").path("seriesCountByMetricName")).hasSize(1);

        try (EndpointSet upper = new EndpointSet(List.of("127.0.0.1:" + grpc.port()), List::of, new QuerierLoopGuard(), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(5));
                StatusFanOut upperStatus = new StatusFanOut(upper::healthy, Duration.ofSeconds(30))) {
            await("the querier announces status").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                upper.refresh();
                assertThat(upper.healthy()).singleElement().satisfies(endpoint -> assertThat(endpoint.info().hasStatus()).isTrue());
            });
            await("one querier up, the same statistics").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(QuerierTesting.JSON.readTree(upperStatus.apiAnswer("", false))).isEqualTo(get(querierUrl(), "/api/v1/status/tsdb").json()));
        }
    }
}
