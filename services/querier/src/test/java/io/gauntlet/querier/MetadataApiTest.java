package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/metadata} through the querier → a real Gauntlet sidecar → Prometheus 2.42 answers what that
 * Prometheus answers itself; a store without the Metadata API adds nothing, a store whose backend is down adds a
 * warning (partial response) or fails the request (without).
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarStoresResource.class, restrictToAnnotatedClass = true)
class MetadataApiTest {
    @BeforeEach
    void storesUp() {
        String skip = ConfigProvider.getConfig().getOptionalValue("test.metadata-skip", String.class).orElse("");
        Assumptions.assumeTrue(skip.isEmpty(), skip + ": skipping");
        QuerierTesting.awaitStoresHealthy(3);
        // Prometheus has metadata once it scraped itself
        await("prometheus metadata").atMost(Duration.ofSeconds(30))
                .until(() -> data(get(prometheusUrl(), "/api/v1/metadata?metric=prometheus_build_info")).containsKey("prometheus_build_info"));
    }

    /** An answer's data as metric → set of entries (Prometheus orders a metric's entries at random). */
    private static Map<String, Set<String>> data(QuerierTesting.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> metric : answer.json().path("data").properties()) {
            Set<String> metas = new HashSet<>();
            metric.getValue().forEach(meta -> metas.add(meta.toString()));
            out.put(metric.getKey(), metas);
        }
        return out;
    }

    /** The querier's body without the warnings the down store adds. */
    private static String withoutWarnings(String body) {
        return body.replaceFirst(",\"warnings\":\\[.*\\]}$", "}");
    }

    @Test
    void everyMetricAsPrometheusAnswers() {
        // Prometheus may learn a metric between the two reads: the answers settle within a scrape or two
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(data(get(querierUrl(), "/api/v1/metadata")))
                .isEqualTo(data(get(prometheusUrl(), "/api/v1/metadata"))));
        assertThat(data(get(querierUrl(), "/api/v1/metadata"))).containsKeys("prometheus_build_info", "go_goroutines");
    }

    @Test
    void oneMetricByteForByteAsPrometheusAnswers() {
        for (String query : List.of("metric=prometheus_build_info", "metric=go_goroutines&limit=1", "metric=up", "metric=no_such_metric",
                "limit=0", "metric=prometheus_http_requests_total&limit=5")) {
            String fromPrometheus = get(prometheusUrl(), "/api/v1/metadata?" + query).body();
            assertThat(withoutWarnings(get(querierUrl(), "/api/v1/metadata?" + query).body())).as(query).isEqualTo(fromPrometheus);
        }
    }

    @Test
    void limitAsPrometheusAnswers() {
        Map<String, Set<String>> everything = data(get(prometheusUrl(), "/api/v1/metadata"));
        for (int limit : List.of(1, 3)) {
            // Prometheus picks which metrics at random: the same count, each one as in the full answer
            Map<String, Set<String>> fromQuerier = data(get(querierUrl(), "/api/v1/metadata?limit=" + limit));
            assertThat(fromQuerier).hasSameSizeAs(data(get(prometheusUrl(), "/api/v1/metadata?limit=" + limit))).hasSize(limit);
            fromQuerier.forEach((metric, metas) -> assertThat(everything).containsEntry(metric, metas));
        }
    }

    @Test
    void badLimitIsRefusedAsPrometheusRefusesIt() {
        QuerierTesting.Answer fromQuerier = get(querierUrl(), "/api/v1/metadata?limit=ten");
        QuerierTesting.Answer fromPrometheus = get(prometheusUrl(), "/api/v1/metadata?limit=ten");
        assertThat(fromQuerier.status()).isEqualTo(fromPrometheus.status()).isEqualTo(400);
        assertThat(fromQuerier.body()).isEqualTo(fromPrometheus.body());
    }

    @Test
    void aDownStoreIsAWarningWithPartialResponseAndAnErrorWithout() {
        QuerierTesting.Answer partial = get(querierUrl(), "/api/v1/metadata?metric=prometheus_build_info");
        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.json().path("warnings")).singleElement().extracting(JsonNode::asText).asString()
                .contains("UNAVAILABLE").contains("prometheus " + SidecarStoresResource.DOWN_PROMETHEUS + " unreachable");
        assertThat(partial.json().path("data").has("prometheus_build_info")).isTrue();

        QuerierTesting.Answer strict = get(querierUrl(), "/api/v1/metadata?metric=prometheus_build_info&partial_response=false");
        assertThat(strict.status()).isEqualTo(500);
        assertThat(strict.json().path("errorType").asText()).isEqualTo("internal");
        assertThat(strict.json().path("error").asText()).startsWith("retrieving metadata: ")
                .contains("prometheus " + SidecarStoresResource.DOWN_PROMETHEUS + " unreachable");
    }
}
