package io.gauntlet.sidecar;

import io.gauntlet.prometheus.testing.PrometheusProcess;
import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.store.testing.ThanosStoreCalls;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.store.SnappyCodec;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sidecar app against a real Prometheus 2.42 loaded with promtool-made blocks, called over a real gRPC channel by
 * the Thanos method names. Answers are compared with Prometheus' own raw data ({@code /api/v1/query} of {@code x[range]}).
 */
@QuarkusTest
@WithTestResource(PrometheusWithBlocks.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SidecarStoreApiTest {
    private static final long START = PrometheusWithBlocks.DATA_START;
    private static final long END = PrometheusWithBlocks.DATA_END;
    private static final long HOUR = PrometheusWithBlocks.HOUR;
    private static final Map<String, String> EXTERNAL = PrometheusWithBlocks.EXTERNAL_LABELS;

    @Inject
    GrpcServerLifecycle grpc;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        // a small window so that a paused reader really stops the sidecar (outage test)
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().flowControlWindow(64 * 1024).build();
        await("sidecar ready").atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    /** A selector, its matchers for the StoreAPI (external label matchers included) and for Prometheus (without them). */
    private record Case(String promql, List<LabelMatcher> store) {
    }

    private static LabelMatcher m(String name, LabelMatcher.Type type, String value) {
        return LabelMatcher.newBuilder().setName(name).setType(type).setValue(value).build();
    }

    private static final LabelMatcher.Type EQ = LabelMatcher.Type.EQ;
    private static final LabelMatcher.Type NEQ = LabelMatcher.Type.NEQ;
    private static final LabelMatcher.Type RE = LabelMatcher.Type.RE;
    private static final LabelMatcher.Type NRE = LabelMatcher.Type.NRE;

    private static List<Case> cases() {
        return List.of(
                new Case("{__name__=\"node_cpu_seconds_total\"}", List.of(m("__name__", EQ, "node_cpu_seconds_total"))),
                new Case("{__name__=~\"node_.*\",mode=\"idle\"}", List.of(m("__name__", RE, "node_.*"), m("mode", EQ, "idle"))),
                new Case("{job=\"web\",le!=\"+Inf\"}", List.of(m("job", EQ, "web"), m("le", NEQ, "+Inf"))),
                new Case("{__name__=~\"http_.*_bucket\",le=~\"0\\\\.0.*\"}", List.of(m("__name__", RE, "http_.*_bucket"), m("le", RE, "0\\.0.*"))),
                new Case("{instance=~\"host-0.*\",cpu!~\"1.*\",mode!=\"user\"}",
                        List.of(m("instance", RE, "host-0.*"), m("cpu", NRE, "1.*"), m("mode", NEQ, "user"))),
                new Case("{__name__=\"node_memory_free_bytes\"}",
                        List.of(m("cluster", EQ, "eu-1"), m("__name__", EQ, "node_memory_free_bytes"))),
                new Case("{__name__=~\"http_request_duration_seconds_(sum|count)\"}",
                        List.of(m("prometheus_replica", RE, "prom-.*"), m("__name__", RE, "http_request_duration_seconds_(sum|count)"))),
                new Case("{job=\"node\",instance=\"host-7:9100\"}", List.of(m("job", EQ, "node"), m("instance", EQ, "host-7:9100"))));
    }

    @Test
    @Order(1)
    void seriesEqualPrometheusRawDataForManyMatchersAndRanges() throws Exception {
        long[][] ranges = {
                {START, END}, // everything, across both 2h blocks
                {START + HOUR + 17_321, START + HOUR + 1_800_000}, // inside one block
                {START + 2 * HOUR - 600_000, START + 2 * HOUR + 600_000}, // across the block boundary
                {START + 3 * HOUR, START + 3 * HOUR + 20_000}, // a few samples
                {START - HOUR, START + 1}, // before the data, touching its first millisecond
        };
        int compared = 0;
        for (Case c : cases()) {
            for (long[] range : ranges) {
                List<String> expected = SeriesText.fromPrometheusQuery(PrometheusWithBlocks.prometheus.url(), c.promql(), range[0], range[1], EXTERNAL);
                List<String> actual = new ArrayList<>(SeriesText.fromStoreApi(ThanosStoreCalls.series(channel, request(c.store(), range[0], range[1])),
                        range[0], range[1]));
                actual.sort(null);
                assertThat(actual).as("%s over [%d, %d]", c.promql(), range[0], range[1]).isEqualTo(expected);
                compared += actual.size();
            }
        }
        assertThat(compared).as("series compared").isGreaterThan(1000);
    }

    @Test
    @Order(2)
    void headDataOfTheSelfScrapeIsServedToo() throws Exception {
        // the window moves with the clock: a Prometheus started moments ago has no scrape 5 s in the past yet
        await().atMost(Duration.ofSeconds(30)).until(() -> !SeriesText.fromPrometheusQuery(PrometheusWithBlocks.prometheus.url(),
                "{__name__=\"up\"}", System.currentTimeMillis() - 60_000, System.currentTimeMillis() - 5_000, Map.of()).isEmpty());
        long now = System.currentTimeMillis();
        long min = now - 60_000;
        long max = now - 5_000;
        List<String> expected = SeriesText.fromPrometheusQuery(PrometheusWithBlocks.prometheus.url(),
                "{__name__=\"up\",job=\"prometheus\"}", min, max, EXTERNAL);
        List<String> actual = SeriesText.fromStoreApi(ThanosStoreCalls.series(channel,
                request(List.of(m("__name__", EQ, "up"), m("job", EQ, "prometheus")), min, max)), min, max);
        assertThat(actual).isEqualTo(expected).hasSize(1);
        assertThat(actual.getFirst()).contains("cluster=\"eu-1\"").contains("prometheus_replica=\"prom-0\"");
    }

    @Test
    @Order(3)
    void externalLabelMatchersAreDecidedLocally() throws Exception {
        List<String> none = SeriesText.fromStoreApi(ThanosStoreCalls.series(channel,
                request(List.of(m("cluster", EQ, "us-2"), m("__name__", RE, ".+")), START, END)), START, END);
        assertThat(none).isEmpty();
        List<String> negated = SeriesText.fromStoreApi(ThanosStoreCalls.series(channel,
                request(List.of(m("prometheus_replica", NEQ, "prom-0"), m("job", EQ, "node")), START, END)), START, END);
        assertThat(negated).isEmpty();
        assertThatThrownBy(() -> ThanosStoreCalls.series(channel, request(List.of(m("cluster", EQ, "eu-1")), START, END)).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("no matchers");
                });
    }

    @Test
    @Order(4)
    void samplesAnswersAreRechunkedToTheSameData() throws Exception {
        PrometheusClient client = new PrometheusClient(PrometheusWithBlocks.prometheus.url(), Duration.ofSeconds(60));
        List<io.gauntlet.tsdb.LabelMatcher> matchers = List.of(io.gauntlet.tsdb.LabelMatcher.regex("__name__", "node_.*|http_.*"),
                io.gauntlet.tsdb.LabelMatcher.regex("instance", "(host|web)-[0-2].*"));
        long min = START + 1_234;
        long max = END - 98_765;
        Map<Labels, String> streamed = decoded(client.remoteRead(min, max, matchers, EXTERNAL.keySet(), PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS), min, max);
        Map<Labels, String> rechunked = decoded(client.remoteRead(min, max, matchers, EXTERNAL.keySet(), PrometheusClient.ReadMode.SAMPLES), min, max);
        assertThat(rechunked.keySet()).hasSizeGreaterThan(100).containsExactlyElementsOf(streamed.keySet());
        for (Labels labels : streamed.keySet()) {
            String[] expected = streamed.get(labels).split(" ");
            String[] actual = rechunked.get(labels).split(" ");
            for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
                assertThat(actual[i]).as("%s sample %d", labels, i).isEqualTo(expected[i]);
            }
            assertThat(actual.length).as("%s samples", labels).isEqualTo(expected.length);
        }
        assertThat(rechunked.keySet()).allSatisfy(labels -> assertThat(labels.has("cluster")).isFalse());
    }

    private static Map<Labels, String> decoded(ChunkSeriesSet set, long min, long max) throws Exception {
        Map<Labels, String> out = new TreeMap<>();
        io.gauntlet.tsdb.chunks.XorSampleIterator samples = new io.gauntlet.tsdb.chunks.XorSampleIterator();
        Labels previous = null;
        while (set.next()) {
            assertThat(previous == null || set.labels().compareTo(previous) > 0).as("sorted").isTrue();
            previous = set.labels();
            StringBuilder text = new StringBuilder();
            for (ChunkSeriesSet.EncodedChunk chunk : set.chunks()) {
                assertThat(chunk.encoding()).isEqualTo(1);
                samples.reset(chunk.data());
                while (samples.next()) {
                    if (samples.timestamp() >= min && samples.timestamp() <= max) {
                        // Prometheus' gogo-protobuf drops a proto3 double equal to 0, so a SAMPLES answer turns -0 into +0
                        double value = samples.value() == 0 ? 0.0 : samples.value();
                        text.append(samples.timestamp()).append('=').append(Double.doubleToRawLongBits(value)).append(' ');
                    }
                }
            }
            out.put(set.labels(), text.toString());
        }
        return out;
    }

    @Test
    @Order(5)
    void skipChunksListsTheSameSeries() throws Exception {
        List<LabelMatcher> matchers = List.of(m("__name__", RE, "http_.*"), m("instance", EQ, "web-1:8080"));
        SeriesRequest.Builder request = request(matchers, START, END).toBuilder().setSkipChunks(true);
        List<Labels> listed = new ArrayList<>();
        Iterator<SeriesResponse> answer = ThanosStoreCalls.series(channel, request.build());
        while (answer.hasNext()) {
            SeriesResponse response = answer.next();
            assertThat(response.getSeries().getChunksCount()).isZero();
            listed.add(SeriesText.labels(response.getSeries().getLabelsList()));
        }
        List<Labels> withChunks = new ArrayList<>();
        Iterator<SeriesResponse> full = ThanosStoreCalls.series(channel, request(matchers, START, END));
        while (full.hasNext()) {
            withChunks.add(SeriesText.labels(full.next().getSeries().getLabelsList()));
        }
        assertThat(listed).hasSize(14).isEqualTo(withChunks);
    }

    @Test
    @Order(6)
    void labelNamesAndValuesComeFromPrometheusWithExternalLabelsMerged() {
        var names = ThanosStoreCalls.labelNames(channel, LabelNamesRequest.newBuilder().setStart(START).setEnd(END).build());
        assertThat(names.getNamesList()).containsExactly("__name__", "cluster", "cpu", "instance", "job", "le", "mode", "prometheus_replica");
        var webNames = ThanosStoreCalls.labelNames(channel, LabelNamesRequest.newBuilder().setStart(START).setEnd(END)
                .addMatchers(m("job", EQ, "web")).build());
        assertThat(webNames.getNamesList()).containsExactly("__name__", "cluster", "instance", "job", "le", "prometheus_replica");
        var jobs = ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START).setEnd(END).build());
        assertThat(jobs.getValuesList()).containsExactly("node", "web");
        var memoryJobs = ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("instance").setStart(START).setEnd(END)
                .addMatchers(m("__name__", EQ, "http_request_duration_seconds_count")).build());
        assertThat(memoryJobs.getValuesList()).containsExactly("web-0:8080", "web-1:8080", "web-2:8080", "web-3:8080");
        var cluster = ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("cluster").setStart(START).setEnd(END).build());
        assertThat(cluster.getValuesList()).containsExactly("eu-1");
        var other = ThanosStoreCalls.labelValues(channel, LabelValuesRequest.newBuilder().setLabel("job").setStart(START).setEnd(END)
                .addMatchers(m("cluster", EQ, "us-2")).build());
        assertThat(other.getValuesList()).isEmpty();
    }

    @Test
    @Order(7)
    void infoAdvertisesExternalLabelsAndTheLowestTimestamp() {
        InfoResponse info = ThanosStoreCalls.info(channel);
        assertThat(info.getComponentType()).isEqualTo("sidecar");
        assertThat(info.getLabelSetsList()).hasSize(1);
        assertThat(StoreWire.fromWire(info.getLabelSets(0).getLabelsList())).isEqualTo(Labels.fromMap(EXTERNAL));
        assertThat(info.getStore().getMinTime()).isBetween(START, START + 20_000);
        assertThat(info.getStore().getMaxTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(info.hasMetricMetadata()).as("the sidecar serves thanos.Metadata too").isTrue();
    }

    @Test
    @Order(8)
    void healthReadinessAndMetrics() {
        given().get("/-/healthy").then().statusCode(200);
        given().get("/-/ready").then().statusCode(200);
        ThanosStoreCalls.info(channel);
        given().get("/metrics").then().statusCode(200)
                .body(containsString("thanos_sidecar_prometheus_up 1.0"))
                .body(containsString("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Info\",grpc_service=\"thanos.info.Info\",grpc_type=\"unary\"}"));
        // sent messages reach the counter in steps and at the call's end: the Info replies are counted by now
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher sent = java.util.regex.Pattern.compile(
                "grpc_server_msg_sent_total\\{grpc_method=\"Info\",grpc_service=\"thanos.info.Info\",grpc_type=\"unary\"} (\\S+)").matcher(metrics);
        assertThat(sent.find()).as("msg_sent counter for Info in %s", metrics).isTrue();
        assertThat(Double.parseDouble(sent.group(1))).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    @Order(9)
    void snappyCompressedCallsAndReplicaLabelRemovalAsAThanosQuerierUsesThem() throws Exception {
        SeriesRequest request = request(List.of(m("job", EQ, "web"), m("instance", EQ, "web-2:8080")), START, END).toBuilder()
                .addWithoutReplicaLabels("prometheus_replica").setResponseBatchSize(5).build();
        List<String> plain = new ArrayList<>();
        ManagedChannel snappyChannel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext()
                .compressorRegistry(SnappyCodec.compressors()).decompressorRegistry(SnappyCodec.decompressors()).build();
        try (StoreClient client = new StoreClient("sidecar", snappyChannel, Duration.ofSeconds(60), 16, true);
                StoreSeriesSet answer = client.series(request)) {
            while (answer.next()) {
                assertThat(answer.labels().has("prometheus_replica")).isFalse();
                assertThat(answer.labels().get("cluster")).isEqualTo("eu-1");
                plain.add(answer.labels() + " " + answer.chunks().size());
            }
        } finally {
            snappyChannel.shutdownNow();
        }
        assertThat(plain).hasSize(14);
    }

    @Test
    @Order(100)
    void prometheusKilledMidStreamFailsTheCallClearlyAndLaterCallsSucceed() throws Exception {
        PrometheusProcess prometheus = PrometheusWithBlocks.prometheus;
        SeriesRequest everything = request(List.of(m("__name__", RE, ".+")), START, END);
        Iterator<SeriesResponse> answer = ThanosStoreCalls.series(channel, everything);
        assertThat(answer.hasNext()).isTrue();
        answer.next();
        prometheus.kill();
        assertThatThrownBy(() -> {
            while (answer.hasNext()) {
                answer.next();
            }
        }).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL);
            assertThat(e.getStatus().getDescription()).contains(prometheus.url().toString());
        });
        // down: unready naming the Prometheus, calls fail with UNAVAILABLE
        await("unready").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/-/ready").then().statusCode(503).body(containsString(prometheus.url().toString())));
        assertThatThrownBy(() -> ThanosStoreCalls.series(channel, everything).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains(prometheus.url().toString());
                });
        given().get("/metrics").then().statusCode(200).body(containsString("thanos_sidecar_prometheus_up 0.0"));
        assertThat(ThanosStoreCalls.info(channel).getLabelSetsCount()).as("last known external labels still advertised").isEqualTo(1);
        prometheus.start();
        await("ready again").atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);
        long count = 0;
        Iterator<SeriesResponse> again = ThanosStoreCalls.series(channel, request(List.of(m("__name__", RE, "node_.*|http_.*")), START, END));
        while (again.hasNext()) {
            again.next();
            count++;
        }
        assertThat(count).isEqualTo(PrometheusWithBlocks.generated.series());
    }

    private static SeriesRequest request(List<LabelMatcher> matchers, long min, long max) {
        return SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max).addAllMatchers(matchers).build();
    }

}
