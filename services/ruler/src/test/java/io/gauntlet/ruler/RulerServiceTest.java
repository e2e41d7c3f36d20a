package io.gauntlet.ruler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.rules.RulesGrpc;
import io.gauntlet.proto.thanos.rules.RulesRequest;
import io.gauntlet.proto.thanos.rules.RulesResponse;
import io.gauntlet.service.GrpcServerLifecycle;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The ruler service against a real Prometheus 2.42 (its query API, as the querier serves it) and a real Alertmanager
 * 0.25: rules evaluated and shown in Prometheus' JSON, alerts delivered with external labels and without the replica
 * label, recorded series over the StoreAPI with the ruler's labels, the thanos.Rules gRPC service, reloads that keep
 * the last good rules, and a query endpoint that goes down making evaluations fail visibly.
 */
@QuarkusTest
@QuarkusTestResource(value = RulerStackResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RulerServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "test.ruler-skip")
    java.util.Optional<String> skip;
    @Inject
    GrpcServerLifecycle grpc;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        Assumptions.assumeTrue(skip.isEmpty(), skip.orElse(""));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private static JsonNode get(String path) throws Exception {
        return JSON.readTree(given().get(path).then().statusCode(200).extract().asString());
    }

    @Test
    @Order(1)
    void evaluatesRulesAndServesThemAsPrometheusDoes() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/alerts").path("data").path("alerts").size() == 2);
        JsonNode groups = get("/api/v1/rules").path("data").path("groups");
        assertThat(groups).hasSize(2);
        JsonNode recording = groups.get(0).path("rules").get(0);
        assertThat(recording.path("name").asText()).isEqualTo("job:up:count");
        assertThat(recording.path("query").asText()).isEqualTo("count by (job) (up)");
        assertThat(recording.path("type").asText()).isEqualTo("recording");
        assertThat(recording.path("health").asText()).isEqualTo("ok");
        JsonNode alerts = groups.get(1).path("rules");
        assertThat(alerts.get(0).path("state").asText()).isEqualTo("firing");
        assertThat(alerts.get(1).path("state").asText()).isEqualTo("pending");
        assertThat(alerts.get(1).path("duration").asDouble()).isEqualTo(3600);
        assertThat(get("/api/v1/rules?type=record").path("data").path("groups").get(1).path("rules")).isEmpty();
        given().get("/api/v1/rules?type=foo").then().statusCode(400);
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("prometheus_rule_evaluations_total{rule_group=\"" + RulerStackResource.rulesFile + ";recorded\"}");
        assertThat(metrics).contains("prometheus_rule_group_last_duration_seconds");
    }

    @Test
    @Order(2)
    void sendsAlertsToAlertmanagerWithoutTheReplicaLabel() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> RulerStackResource.alertmanager.alerts().contains("Watchdog"));
        JsonNode alert = JSON.readTree(RulerStackResource.alertmanager.alerts()).get(0);
        assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("Watchdog");
        assertThat(alert.path("labels").path("cluster").asText()).isEqualTo("eu");
        assertThat(alert.path("labels").has("rule_replica")).isFalse();
        assertThat(alert.path("annotations").path("summary").asText()).isEqualTo("Watchdog of eu (1)");
        assertThat(alert.path("generatorURL").asText()).isEqualTo("http://querier.example:10902/graph?g0.expr=vector%281%29&g0.tab=1");
    }

    @Test
    @Order(3)
    void servesRecordedSeriesAndRulesOverGrpc() {
        InfoResponse info = InfoGrpc.newBlockingStub(channel).info(InfoRequest.getDefaultInstance());
        assertThat(info.getComponentType()).isEqualTo("rule");
        assertThat(info.hasRules()).isTrue();
        assertThat(info.getLabelSets(0).getLabelsList()).extracting(Label::getName).containsExactly("cluster", "rule_replica");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> seriesCount() > 0);
        Iterator<SeriesResponse> series = StoreGrpc.newBlockingStub(channel).series(seriesRequest());
        SeriesResponse first = series.next();
        assertThat(first.getSeries().getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
                .contains("__name__=job:up:count", "source=ruler", "rule_replica=a", "cluster=eu", "job=prometheus");
        List<RulesResponse> groups = new ArrayList<>();
        RulesGrpc.newBlockingStub(channel).rules(RulesRequest.newBuilder().setType(RulesRequest.Type.ALERT).build()).forEachRemaining(groups::add);
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).getGroup().getRulesList()).isEmpty();
        var watchdog = groups.get(1).getGroup().getRules(0).getAlert();
        assertThat(watchdog.getName()).isEqualTo("Watchdog");
        assertThat(watchdog.getAlerts(0).getLabels().getLabelsList()).extracting(Label::getName).contains("rule_replica", "cluster");
    }

    private int seriesCount() {
        int[] count = {0};
        StoreGrpc.newBlockingStub(channel).series(seriesRequest()).forEachRemaining(r -> count[0] += r.hasSeries() ? 1 : 0);
        return count[0];
    }

    private static SeriesRequest seriesRequest() {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("job:up:count")).build();
    }

    @Test
    @Order(4)
    void anInvalidRuleFileKeepsTheLastGoodRules() throws Exception {
        Files.writeString(RulerStackResource.rulesFile, RulerStackResource.RULES.replace("count by (job) (up)", "count by (job (up)"));
        String answer = given().post("/-/reload").then().statusCode(500).extract().asString();
        assertThat(answer).contains(RulerStackResource.rulesFile + ": 6:15: group \"recorded\", rule 1, \"job:up:count\": could not parse expression");
        assertThat(get("/api/v1/rules").path("data").path("groups")).hasSize(2);
        String metrics = given().get("/metrics").then().extract().asString();
        assertThat(metrics).contains("thanos_rule_config_last_reload_successful 0.0");
        Files.writeString(RulerStackResource.rulesFile, RulerStackResource.RULES.replace("name: recorded", "name: renamed"));
        given().post("/-/reload").then().statusCode(200);
        assertThat(get("/api/v1/rules").path("data").path("groups").findValuesAsText("name")).contains("renamed");
    }

    @Test
    @Order(5)
    void aQueryEndpointThatIsDownFailsEvaluationsVisibly() throws Exception {
        RulerStackResource.prometheus.destroy();
        RulerStackResource.prometheus.waitFor();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode rule = get("/api/v1/rules?type=record").path("data").path("groups").get(0).path("rules").get(0);
            return rule.path("health").asText().equals("err") && rule.path("lastError").asText().contains("no query endpoint answered");
        });
        assertThat(given().get("/metrics").then().extract().asString()).containsPattern("prometheus_rule_evaluation_failures_total\\{[^}]*} [1-9]");
    }
}
