package io.gauntlet.sidecar;

import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.store.testing.ThanosStoreCalls;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.service.GrpcServerLifecycle;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A Prometheus without external labels keeps the sidecar unready, with the reason, and its calls fail UNAVAILABLE. */
@QuarkusTest
@WithTestResource(PrometheusWithoutExternalLabels.class)
class SidecarUnreadyTest {
    @Inject
    GrpcServerLifecycle grpc;

    @Test
    void unreadyWithAClearReasonWhenPrometheusHasNoExternalLabels() {
        String url = PrometheusWithoutExternalLabels.prometheus.url().toString();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/-/ready").then().statusCode(503)
                .body(containsString("prometheus " + url + " has no external labels")));
        given().get("/-/healthy").then().statusCode(200);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
        try {
            SeriesRequest request = SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE)
                    .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.EQ).setValue("up")).build();
            assertThatThrownBy(() -> ThanosStoreCalls.series(channel, request).hasNext())
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("no external labels").contains(url);
                    });
            assertThat(ThanosStoreCalls.info(channel).getLabelSetsList()).isEmpty();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void differingBlockDurationsWarnOrRefuseWhenStrict() {
        PrometheusClient client = new PrometheusClient(PrometheusWithoutExternalLabels.prometheus.url(), Duration.ofSeconds(10));
        PrometheusState lenient = new PrometheusWatcher(client, false).refresh();
        assertThat(lenient.prometheusUp()).isTrue();
        assertThat(lenient.blockDurationWarning()).contains("--storage.tsdb.min-block-duration=2h")
                .contains("--storage.tsdb.max-block-duration=6h").contains("must be equal");
        assertThat(lenient.notReadyReason()).doesNotContain("block-duration");
        PrometheusState strict = new PrometheusWatcher(client, true).refresh();
        assertThat(strict.notReadyReason()).contains("must be equal").contains("strict-block-durations");
    }
}
