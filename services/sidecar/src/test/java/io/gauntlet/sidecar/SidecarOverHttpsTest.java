package io.gauntlet.sidecar;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.gauntlet.prometheus.testing.PrometheusWithData;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.store.MetadataClient;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.testing.ThanosStoreCalls;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sidecar app against a real Prometheus 2.42 behind its own web config (TLS with a CA made by the test, basic auth),
 * configured through {@code gauntlet.sidecar.prometheus-http-client-file}: Series, labels, metadata and Info work;
 * a wrong password (the password file rewritten) turns into a clear unready reason and error, and the right one heals it.
 */
@QuarkusTest
@WithTestResource(PrometheusBehindTls.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SidecarOverHttpsTest {
    private static final long START = PrometheusWithData.DATA_START;
    private static final long END = PrometheusWithData.DATA_END;

    @Inject
    GrpcServerLifecycle grpc;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    @Order(1)
    void seriesLabelsMetadataAndInfoComeOverTlsWithBasicAuth() throws Exception {
        await("sidecar ready").atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);
        assertThat(ThanosStoreCalls.info(channel).getLabelSets(0).getLabelsList()).extracting(label -> label.getName() + "=" + label.getValue())
                .containsExactly("cluster=eu-1", "prometheus_replica=prom-0");
        List<String> series = SeriesText.fromStoreApi(ThanosStoreCalls.series(channel, everything()), START, END);
        assertThat(series).hasSize(PrometheusBehindTls.generated.series())
                .allSatisfy(text -> assertThat(text).contains("cluster=\"eu-1\"").contains("prometheus_replica=\"prom-0\""));
        assertThat(ThanosStoreCalls.labelNames(channel, LabelNamesRequest.newBuilder().setStart(START).setEnd(END).build()).getNamesList())
                .contains("__name__", "instance", "job");
        assertThat(ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START).setEnd(END).build())
                .getValuesList()).contains("node", "web");
        // Prometheus scrapes itself through the same door: metadata shows up after its first scrape
        MetadataClient metadata = new MetadataClient("sidecar", channel, Duration.ofSeconds(30));
        await("metadata").atMost(Duration.ofSeconds(30)).until(() -> metadata.metricMetadata("prometheus_build_info", -1, PartialResponse.ABORT)
                .frames().getFirst().containsKey("prometheus_build_info"));
    }

    @Test
    @Order(2)
    void aWrongPasswordIsAClearReasonAndTheRightOneHeals() throws Exception {
        String url = PrometheusBehindTls.data.prometheus().url().toString();
        Files.writeString(PrometheusBehindTls.passwordFile, "not-the-password");
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/-/ready").then().statusCode(503)
                    .body(containsString("prometheus " + url + ": /api/v1/status/config answered HTTP 401"))
                    .body(containsString("check basic_auth")));
            assertThatThrownBy(() -> ThanosStoreCalls.series(channel, everything()).hasNext()).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getDescription()).contains("remote read answered HTTP 401").doesNotContain("not-the-password"));
        } finally {
            Files.writeString(PrometheusBehindTls.passwordFile, PrometheusBehindTls.PASSWORD);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/-/ready").statusCode() == 200);
    }

    private static SeriesRequest everything() {
        return SeriesRequest.newBuilder().setMinTime(START).setMaxTime(END)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.RE).setValue(".+")).build();
    }
}
