package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HA replicas deduplicated, failing stores as warnings or errors, and a hanging store held by the query timeout. */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class DedupAndPartialResponseTest {
    private static final String HA_RANGE = "&start=" + TestData.T_HA / 1000 + "&end=" + TestData.HA_END / 1000 + "&step=15";

    @BeforeEach
    void storesUp() {
        QuerierTesting.awaitStoresHealthy(5);
    }

    @Test
    void replicasMergeIntoOneSeriesWithoutGaps() {
        JsonNode result = get(querierUrl(), "/api/v1/query_range?query=ha_metric" + HA_RANGE).json().path("data").path("result");
        assertThat(result).hasSize(1);
        assertThat(result.get(0).path("metric").toString()).isEqualTo("{\"__name__\":\"ha_metric\",\"cluster\":\"ha\",\"job\":\"ha\"}");
        // each replica has a 10 minute hole at a different place: deduplicated, every 15 s step has a value
        int expectedSteps = (int) ((TestData.HA_END - TestData.T_HA) / 15_000) + 1;
        assertThat(result.get(0).path("values")).hasSize(expectedSteps);
        long previous = 0;
        for (JsonNode point : result.get(0).path("values")) {
            long t = point.get(0).asLong();
            assertThat(previous == 0 || t - previous == 15).isTrue();
            previous = t;
        }
    }

    @Test
    void withoutDedupBothReplicasShowTheirGaps() {
        JsonNode result = get(querierUrl(), "/api/v1/query_range?dedup=false&query=ha_metric" + HA_RANGE).json().path("data").path("result");
        assertThat(result).hasSize(2);
        assertThat(result.get(0).path("metric").path("replica").asText()).isEqualTo("r1");
        assertThat(result.get(1).path("metric").path("replica").asText()).isEqualTo("r2");
        int expectedSteps = (int) ((TestData.HA_END - TestData.T_HA) / 15_000) + 1;
        for (JsonNode series : result) {
            // 10 minutes without samples minus the 5 minute lookback leave about 20 steps empty
            assertThat(series.path("values").size()).isLessThan(expectedSteps - 15);
        }
    }

    @Test
    void rateOverDeduplicatedCounterHasNoSpikes() {
        JsonNode result = get(querierUrl(), "/api/v1/query_range?query=" + encode("rate(ha_metric[5m])") + HA_RANGE)
                .json().path("data").path("result");
        assertThat(result).hasSize(1);
        for (JsonNode point : result.get(0).path("values")) {
            if (point.get(0).asLong() < TestData.T_HA / 1000 + 300) {
                continue; // the first five minutes extrapolate from the series start
            }
            // both replicas count seconds since the start: the rate is 1/s everywhere, also where the replicas switch
            assertThat(Double.parseDouble(point.get(1).asText())).isBetween(0.9, 1.1);
        }
    }

    @Test
    void failingStoreIsAWarningWithPartialResponse() {
        String query = "/api/v1/query?query=" + encode("{__name__=~\".+\"}") + "&time=" + (TestData.T_FAIL / 1000 + 600);
        QuerierTesting.Answer partial = get(querierUrl(), query);
        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.json().path("warnings").toString()).contains("prometheus behind this sidecar is down");

        QuerierTesting.Answer strict = get(querierUrl(), query + "&partial_response=false");
        assertThat(strict.status()).isEqualTo(422);
        assertThat(strict.json().path("errorType").asText()).isEqualTo("execution");
        assertThat(strict.json().path("error").asText()).contains("prometheus behind this sidecar is down");

        String metrics = get(querierUrl(), "/metrics").body();
        assertThat(metrics).contains("gauntlet_querier_store_call_failures_total{call=\"series\"",
                "gauntlet_querier_store_call_duration_seconds_count{call=\"series\"");

        QuerierTesting.Answer labels = get(querierUrl(), "/api/v1/labels?partial_response=false");
        assertThat(labels.status()).isEqualTo(422);
        assertThat(get(querierUrl(), "/api/v1/labels").json().path("warnings")).isNotEmpty();
    }

    @Test
    void hangingStoreIsCutByTheQueryTimeout() {
        long started = System.nanoTime();
        QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/query?timeout=1s&query=" + encode("{__name__=~\".+\"}")
                + "&time=" + (TestData.T_HANG / 1000 + 600));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().path("errorType").asText()).isEqualTo("timeout");
        assertThat(tookMillis).isBetween(900L, 10_000L);
        // the querier keeps answering
        assertThat(get(querierUrl(), "/api/v1/query?query=1&time=1").status()).isEqualTo(200);
    }

    @Test
    void storeMatchSelectsStores() {
        JsonNode onlyR1 = get(querierUrl(), "/api/v1/query_range?dedup=false&query=ha_metric" + HA_RANGE + "&storeMatch[]="
                + encode("{replica=\"r1\"}")).json().path("data").path("result");
        assertThat(onlyR1).hasSize(1);
        assertThat(onlyR1.get(0).path("metric").path("replica").asText()).isEqualTo("r1");
    }
}
