package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.query.testing.QuerierFixture;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.store.MetadataClient;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The querier serves the StoreAPI on its gRPC port (its endpoints merged, not deduplicated), reads endpoints from a
 * file it watches, lists a store-less endpoint without asking it for series, and refuses endpoints that loop back to it.
 */
@QuarkusTest
@QuarkusTestResource(value = StoreApiResource.class, restrictToAnnotatedClass = true)
class StoreApiTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    GrpcServerLifecycle grpc;

    private StoreClient client;

    @BeforeEach
    void connect() throws Exception {
        StoreApiResource.writeEndpointsFile(List.of(StoreApiResource.replica2.address()));
        QuerierTesting.awaitStoresHealthy(3);
        client = StoreClient.connect(ownAddress(), Duration.ofSeconds(30));
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    private String ownAddress() {
        return "127.0.0.1:" + grpc.port();
    }

    private List<Labels> series(SeriesRequest request) throws Exception {
        List<Labels> out = new ArrayList<>();
        try (StoreSeriesSet set = client.series(request)) {
            while (set.next()) {
                out.add(set.labels());
            }
            assertThat(set.warnings()).isEmpty();
        }
        return out;
    }

    private static SeriesRequest.Builder haRequest() {
        return SeriesRequest.newBuilder().setMinTime(TestData.T_HA).setMaxTime(TestData.HA_END)
                .addAllMatchers(StoreWire.toWireMatchers(List.of(LabelMatcher.equal("__name__", "ha_metric"))));
    }

    @Test
    void servesItsEndpointsAsOneStore() throws Exception {
        InfoResponse info = client.info();
        assertThat(info.getComponentType()).isEqualTo("query");
        assertThat(info.getLabelSetsList()).extracting(set -> StoreWire.fromWire(set.getLabelsList()).toString())
                .containsExactly("{cluster=\"ha\", replica=\"r1\"}", "{cluster=\"ha\", replica=\"r2\"}");
        assertThat(info.getStore().getSupportsWithoutReplicaLabels()).isTrue();
        // the Metadata API too (the replicas here have none: an empty answer, not UNIMPLEMENTED)
        assertThat(info.hasMetricMetadata()).isTrue();
        assertThat(new MetadataClient("querier", client.channel(), Duration.ofSeconds(10)).metricMetadata("", -1, PartialResponse.WARN)
                .warnings()).isEmpty();
        // not deduplicated: the querier above does that, after asking for the replica labels to be dropped
        assertThat(series(haRequest().build())).extracting(l -> l.get("replica")).containsExactly("r1", "r2");
        assertThat(series(haRequest().addWithoutReplicaLabels("replica").build())).extracting(Labels::toString)
                .containsExactly("ha_metric{cluster=\"ha\", job=\"ha\"}");
        assertThat(client.labelValues(LabelValuesRequest.newBuilder().setLabel("replica").setStart(TestData.T_HA)
                .setEnd(TestData.HA_END).build()).getValuesList()).containsExactly("r1", "r2");
        assertThat(get(querierUrl(), "/metrics").body()).contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Series\"");
    }

    @Test
    void aStoreLessEndpointIsHealthyAndNeverAskedForSeries() {
        JsonNode rules = get(querierUrl(), "/api/v1/stores").json().path("data").path("rule");
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0).path("healthy").asBoolean()).isTrue();
        assertThat(rules.get(0).path("apis").toString()).isEqualTo("[]"); // its Info has no API section at all
        QuerierTesting.Answer answer = get(querierUrl(), "/api/v1/query?query=" + encode("count({__name__=~\".+\"})")
                + "&time=" + TestData.HA_END / 1000);
        assertThat(answer.json().path("warnings").isMissingNode()).as(answer.body()).isTrue();
        assertThat(get(querierUrl(), "/api/v1/labels").json().path("warnings").isMissingNode()).isTrue();
        assertThat(get(querierUrl(), "/metrics").body()).doesNotContain("store=\"" + StoreApiResource.rulesOnly.address() + "\"");
    }

    @Test
    void endpointsComeAndGoWithTheEndpointsFile() throws Exception {
        String late = StoreApiResource.late.address();
        String replica2 = StoreApiResource.replica2.address();
        StoreApiResource.writeEndpointsFile(List.of(replica2, late));
        await("the added store").atMost(WAIT).until(() -> storeNames().contains(late) && lateMetricAnswers());
        StoreApiResource.writeEndpointsFile(List.of(late));
        await("the removed store gone").atMost(WAIT).until(() -> !storeNames().contains(replica2));
        assertThat(series(haRequest().build())).extracting(l -> l.get("replica")).containsExactly("r1");
    }

    private static boolean lateMetricAnswers() {
        return get(querierUrl(), "/api/v1/query?query=late_metric&time=" + (TestData.T_HA / 1000 + 20)).json()
                .path("data").path("result").size() == 1;
    }

    @Test
    void refusesItselfAndALoopThroughAnotherQuerier() throws Exception {
        try (QuerierFixture other = QuerierFixture.start(() -> List.of(ownAddress()), StoreLimits.NONE)) {
            StoreApiResource.writeEndpointsFile(List.of(StoreApiResource.replica2.address(), ownAddress(), other.address()));
            await("itself refused").atMost(WAIT).until(() -> lastError(ownAddress()).contains("it is this querier itself"));
            await("the loop through the other querier refused").atMost(WAIT).until(() -> {
                other.refresh(); // the other querier learns that this one reaches it, then tells this one
                return lastError(other.address()).contains("whose endpoints lead back to this querier");
            });
            assertThat(get(querierUrl(), "/metrics").body()).contains("gauntlet_querier_endpoint_loops 2.0");
            // the loops cost nothing: the HA pair answers, deduplicated, without warnings
            JsonNode answer = get(querierUrl(), "/api/v1/query?query=ha_metric&time=" + (TestData.T_HA / 1000 + 600)).json();
            assertThat(answer.path("data").path("result")).hasSize(1);
            assertThat(answer.path("warnings").isMissingNode()).isTrue();
        }
    }

    private static List<String> storeNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode type : get(querierUrl(), "/api/v1/stores").json().path("data")) {
            for (JsonNode store : type) {
                names.add(store.path("name").asText());
            }
        }
        return names;
    }

    private static String lastError(String address) {
        for (JsonNode type : get(querierUrl(), "/api/v1/stores").json().path("data")) {
            for (JsonNode store : type) {
                if (store.path("name").asText().equals(address)) {
                    return store.path("lastError").asText();
                }
            }
        }
        return "";
    }
}
