package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.post;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Prometheus HTTP API as Grafana, promtool-like clients and Thanos' UI use it. */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class QuerierApiTest {
    @BeforeEach
    void storesUp() {
        QuerierTesting.awaitStoresHealthy(5);
    }

    @Test
    void grafanaSaveAndTest() {
        QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/query?query=1%2B1&time=4");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}");
        JsonNode build = get(querierUrl(), "/api/v1/status/buildinfo").json();
        assertThat(build.path("status").asText()).isEqualTo("success");
        assertThat(build.path("data").path("version").asText()).isNotEmpty();
    }

    @Test
    void grafanaAutocomplete() {
        JsonNode names = get(querierUrl(), "/api/v1/label/__name__/values").json();
        assertThat(names.path("data")).extracting(JsonNode::asText)
                .contains("http_requests_total", "node_temperature_celsius", "ha_metric", "request_duration_seconds_bucket");
        JsonNode labels = get(querierUrl(), "/api/v1/labels?start=" + TestData.T0 / 1000 + "&end=" + TestData.PARITY_END / 1000).json();
        assertThat(labels.path("data")).extracting(JsonNode::asText).contains("__name__", "code", "instance", "job", "le");
        JsonNode series = get(querierUrl(), "/api/v1/series?match[]=" + encode("http_requests_total{instance=\"i1\"}")
                + "&start=" + TestData.T0 / 1000 + "&end=" + TestData.PARITY_END / 1000).json();
        assertThat(series.path("data")).hasSize(2);
        assertThat(series.path("data").get(0).path("code").asText()).isEqualTo("200");
        assertThat(get(querierUrl(), "/api/v1/metadata").body()).isEqualTo("{\"status\":\"success\",\"data\":{}}");
        // replica labels are gone with dedup, values of the replica label too
        JsonNode replicas = get(querierUrl(), "/api/v1/label/replica/values").json();
        assertThat(replicas.path("data")).isEmpty();
        JsonNode withoutDedup = get(querierUrl(), "/api/v1/label/replica/values?dedup=false").json();
        assertThat(withoutDedup.path("data")).extracting(JsonNode::asText).containsExactly("r1", "r2");
    }

    @Test
    void postFormsAnswerAsGet() {
        String form = "query=" + encode("sum(http_requests_total)") + "&time=" + (TestData.T0 / 1000 + 600);
        QuerierTesting.Answer posted = post(querierUrl(), "/api/v1/query", form);
        QuerierTesting.Answer got = get(querierUrl(), "/api/v1/query?" + form);
        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.body()).isEqualTo(got.body());
        assertThat(posted.json().path("data").path("result").get(0).path("value").get(1).asText()).isNotEmpty();
    }

    @Test
    void errorsCarryPrometheusTypesAndStatusCodes() {
        assertError("/api/v1/query?query=foo(", 400, "bad_data", "invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis");
        assertError("/api/v1/query?query=1&time=abc", 400, "bad_data",
                "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp");
        assertError("/api/v1/query_range?query=1&start=a&end=1&step=1", 400, "bad_data",
                "invalid parameter \"start\": cannot parse \"a\" to a valid timestamp");
        assertError("/api/v1/query_range?query=1&start=2&end=1&step=1", 400, "bad_data",
                "invalid parameter \"end\": end timestamp must not be before start time");
        assertError("/api/v1/query_range?query=1&start=0&end=1&step=0", 400, "bad_data",
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        assertError("/api/v1/query_range?query=1&start=0&end=100000&step=1", 400, "bad_data",
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        assertError("/api/v1/query_range?query=1&start=0&end=1&step=abc", 400, "bad_data",
                "invalid parameter \"step\": cannot parse \"abc\" to a valid duration");
        assertError("/api/v1/query_range?query=" + encode("up[5m]") + "&start=0&end=1&step=1", 400, "bad_data",
                "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        assertError("/api/v1/series?start=1", 400, "bad_data", "no match[] parameter provided");
        assertError("/api/v1/label/a-b/values", 400, "bad_data", "invalid label name: \"a-b\"");
        assertError("/api/v1/query?query=1&timeout=abc", 400, "bad_data",
                "invalid parameter \"timeout\": cannot parse \"abc\" to a valid duration");
        String tenThousandTerms = String.join(" + ", java.util.Collections.nCopies(10_000, "http_requests_total"));
        QuerierTesting.Answer deep = get(querierUrl(), "/api/v1/query?query=" + encode(tenThousandTerms) + "&time="
                + (TestData.T0 / 1000 + 600)); // a GET URL of 250 KB, as Go's server takes it
        assertThat(deep.status()).isEqualTo(200);
        assertThat(deep.json().path("data").path("result")).hasSize(6);
        String tooDeep = "(".repeat(20_001) + "up" + ")".repeat(20_001);
        assertError("/api/v1/query?query=" + encode(tooDeep), 400, "bad_data",
                "invalid parameter \"query\": 1:20001: parse error: expression is nested too deeply (more than 20000 levels)");
        QuerierTesting.Answer execution = get(querierUrl(), "/api/v1/query?query=" + encode("http_requests_total + on(job) http_requests_total")
                + "&time=" + (TestData.T0 / 1000 + 600));
        assertThat(execution.status()).isEqualTo(422);
        assertThat(execution.json().path("errorType").asText()).isEqualTo("execution");
    }

    private static void assertError(String path, int status, String type, String message) {
        QuerierTesting.Answer answer = get(querierUrl(), path);
        assertThat(answer.status()).as(path).isEqualTo(status);
        assertThat(answer.body()).as(path).isEqualTo("{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":"
                + QuerierTesting.JSON.valueToTree(message) + "}");
    }

    @Test
    void storesPageListsEndpointsWithLabels() {
        JsonNode stores = get(querierUrl(), "/api/v1/stores").json().path("data").path("sidecar");
        assertThat(stores).hasSize(5);
        assertThat(stores.toString()).contains("\"replica\":\"r1\"", "\"cluster\":\"hanging\"");
        // what each endpoint's Info advertised, by Info's section names
        assertThat(stores.get(0).path("apis").toString()).contains("\"store\"");
    }

    @Test
    void metricsAndHealth() {
        get(querierUrl(), "/api/v1/query?query=1&time=1");
        assertThat(get(querierUrl(), "/-/healthy").status()).isEqualTo(200);
        assertThat(get(querierUrl(), "/-/ready").status()).isEqualTo(200);
        String metrics = get(querierUrl(), "/metrics").body();
        assertThat(metrics).contains("http_requests_total{code=\"200\",handler=\"query\"", "http_request_duration_seconds_bucket");
    }
}
