package io.gauntlet.storegateway;

import static io.gauntlet.storegateway.GatewayAnswers.m;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.bucketstore.BlockFixtures;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.service.GrpcServerLifecycle;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without Kafka, the periodic sync (2 s here) serves a new block and stops serving a deleted one. */
@QuarkusTest
@TestProfile(StoreGatewayWithoutKafkaTest.NoKafka.class)
class StoreGatewayWithoutKafkaTest {
    public static final class NoKafka implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(GatewayBucket.class, Map.of("kafka", "false")));
        }
    }

    @Inject
    GrpcServerLifecycle grpc;
    @Inject
    StoreGatewayServices services;

    @Test
    void blockUploadedAndDeletedIsPickedUpByThePeriodicSync() throws Exception {
        await("gateway ready").atMost(Duration.ofSeconds(60)).until(() -> given().get("/-/ready").statusCode() == 200);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
        try {
            Path dir = GatewayBucket.writeBlock(GatewayBucket.work.resolve("late"), "late_metric", 7);
            String id = BlockFixtures.upload(GatewayBucket.bucket, dir, Map.of("cluster", "eu", "replica", "c"), 0).ulid().toString();
            List<LabelMatcher> late = List.of(m("__name__", LabelMatcher.Type.EQ, "late_metric"));
            long uploaded = System.nanoTime();
            // one 2 s interval plus the sync's own time is what it takes; the bound is loose for a loaded machine
            await("late block served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                    GatewayAnswers.series(channel, GatewayAnswers.request(GatewayBucket.START, GatewayBucket.START + 7_200_000L, late)).size() == 7);
            System.out.printf("block served %d ms after upload without events%n", (System.nanoTime() - uploaded) / 1_000_000);
            GatewayBucket.bucket.delete(id + "/meta.json");
            await("deleted block dropped").atMost(Duration.ofSeconds(30)).until(() -> !services.store().loadedBlockIds().contains(id));
            assertThat(GatewayAnswers.series(channel, GatewayAnswers.request(GatewayBucket.START, GatewayBucket.START + 7_200_000L, late))).isEmpty();
        } finally {
            channel.shutdownNow();
        }
    }
}
