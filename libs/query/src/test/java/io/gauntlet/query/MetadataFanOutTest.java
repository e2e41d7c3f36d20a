package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.MetadataClient;
import io.gauntlet.store.MetadataServer;
import io.gauntlet.store.MetadataSource;
import io.gauntlet.store.MetricMeta;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.Labels;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metadata fan-out over real gRPC servers running MetadataServer: merge, limit, UNIMPLEMENTED, failures, JSON. */
class MetadataFanOutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final MetricMeta REQUESTS = new MetricMeta("counter", "Requests served.", "");
    private static final MetricMeta REQUESTS_OLD = new MetricMeta("counter", "Requests served (old help).", "");
    private static final MetricMeta DURATION = new MetricMeta("histogram", "Request time.", "seconds");
    private static final MetricMeta BUILD = new MetricMeta("gauge", "Build <info> & \"version\".", "");

    private final List<Server> servers = new ArrayList<>();
    private final List<StoreFixture> fixtures = new ArrayList<>();
    private final List<StoreClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(StoreClient::close);
        servers.forEach(Server::shutdownNow);
        for (StoreFixture fixture : fixtures) {
            fixture.close();
        }
    }

    /** A Prometheus-like source: the named metric only, at most {@code limit} names. */
    private static MetadataSource source(Map<String, List<MetricMeta>> all) {
        return (metric, limit) -> {
            Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
            for (var entry : all.entrySet()) {
                if ((metric.isEmpty() || metric.equals(entry.getKey())) && (limit < 0 || out.size() < limit)) {
                    out.put(entry.getKey(), entry.getValue());
                }
            }
            return out;
        };
    }

    private StoreFanOut.Endpoint serve(MetadataSource source) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new MetadataServer(source).metadataService()).build().start();
        servers.add(server);
        return endpoint("127.0.0.1:" + server.getPort());
    }

    /** A store with Store and Info but no Metadata API (as a store gateway). */
    private StoreFanOut.Endpoint storeWithoutMetadata() throws Exception {
        StoreFixture fixture = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("zone", "a")));
        fixtures.add(fixture);
        return endpoint(fixture.address());
    }

    private StoreFanOut.Endpoint endpoint(String address) {
        StoreClient client = StoreClient.connect(address, TIMEOUT);
        clients.add(client);
        return new StoreFanOut.Endpoint(client, InfoResponse.getDefaultInstance());
    }

    private static Map<String, List<MetricMeta>> metas(Object... nameThenMetas) {
        Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenMetas.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<MetricMeta> list = (List<MetricMeta>) nameThenMetas[i + 1];
            out.put((String) nameThenMetas[i], list);
        }
        return out;
    }

    @Test
    void mergesPerMetricKeepingIdenticalEntriesOnceAndSkipsStoresWithoutTheApi() throws Exception {
        StoreFanOut.Endpoint a = serve(source(metas("http_requests_total", List.of(REQUESTS), "build_info", List.of(BUILD))));
        StoreFanOut.Endpoint gateway = storeWithoutMetadata();
        StoreFanOut.Endpoint b = serve(source(metas("http_requests_total", List.of(REQUESTS_OLD, REQUESTS),
                "request_duration_seconds", List.of(DURATION), "build_info", List.of(BUILD))));
        try (MetadataFanOut fanOut = new MetadataFanOut(() -> List.of(a, gateway, b), TIMEOUT)) {
            MetadataFanOut.Result result = fanOut.metricMetadata("", -1, PartialResponse.ABORT);
            assertThat(result.warnings()).isEmpty();
            assertThat(result.metadata()).containsExactly(
                    Map.entry("http_requests_total", List.of(REQUESTS, REQUESTS_OLD)),
                    Map.entry("build_info", List.of(BUILD)),
                    Map.entry("request_duration_seconds", List.of(DURATION)));
            assertThat(fanOut.metricMetadata("build_info", -1, PartialResponse.ABORT).metadata()).containsOnlyKeys("build_info");
            assertThat(fanOut.metricMetadata("nothing_like_it", -1, PartialResponse.ABORT).metadata()).isEmpty();
        }
    }

    @Test
    void limitCountsMetricNamesOverAllStores() throws Exception {
        StoreFanOut.Endpoint a = serve(source(metas("a_total", List.of(REQUESTS), "b_info", List.of(BUILD))));
        StoreFanOut.Endpoint b = serve(source(metas("c_seconds", List.of(DURATION), "a_total", List.of(REQUESTS_OLD))));
        try (MetadataFanOut fanOut = new MetadataFanOut(() -> List.of(a, b), TIMEOUT)) {
            assertThat(fanOut.metricMetadata("", 0, PartialResponse.ABORT).metadata()).isEmpty();
            assertThat(fanOut.metricMetadata("", 1, PartialResponse.ABORT).metadata()).containsOnlyKeys("a_total");
            // a name already taken still gains the entries another store knows (Thanos merges so too)
            MetadataFanOut.Result two = fanOut.metricMetadata("", 2, PartialResponse.ABORT);
            assertThat(two.metadata()).containsOnlyKeys("a_total", "b_info");
            assertThat(two.metadata().get("a_total")).containsExactly(REQUESTS, REQUESTS_OLD);
            assertThat(fanOut.metricMetadata("", 3, PartialResponse.ABORT).metadata()).hasSize(3);
        }
    }

    @Test
    void aFailingStoreIsAWarningWithPartialResponseAndAnErrorWithout() throws Exception {
        StoreFanOut.Endpoint up = serve(source(metas("a_total", List.of(REQUESTS))));
        StoreFanOut.Endpoint down = serve((metric, limit) -> {
            throw new StoreUnavailableException("prometheus http://127.0.0.1:1 unreachable (/api/v1/metadata): connection refused");
        });
        try (MetadataFanOut fanOut = new MetadataFanOut(() -> List.of(up, down), TIMEOUT)) {
            MetadataFanOut.Result partial = fanOut.metricMetadata("", -1, PartialResponse.WARN);
            assertThat(partial.metadata()).containsOnlyKeys("a_total");
            assertThat(partial.warnings()).singleElement().asString().contains("store " + down.client().name())
                    .contains("UNAVAILABLE").contains("prometheus http://127.0.0.1:1 unreachable");
            assertThatThrownBy(() -> fanOut.metricMetadata("", -1, PartialResponse.ABORT))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("UNAVAILABLE"));

            String answer = fanOut.apiAnswer("", "", true);
            assertThat(answer).startsWith("{\"status\":\"success\",\"data\":{\"a_total\":[").contains("\"warnings\":[\"store ");
            assertThatThrownBy(() -> fanOut.apiAnswer("", "", false)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.type()).isEqualTo(ErrorType.INTERNAL);
                assertThat(e.getMessage()).startsWith("retrieving metadata: store ").contains("unreachable");
            });
        }
    }

    @Test
    void servedAsTheQuerierOwnMetadataApiForAQuerierAbove() throws Exception {
        StoreFanOut.Endpoint up = serve(source(metas("a_total", List.of(REQUESTS), "b_info", List.of(BUILD))));
        StoreFanOut.Endpoint down = serve((metric, limit) -> {
            throw new StoreUnavailableException("prometheus down");
        });
        try (MetadataFanOut fanOut = new MetadataFanOut(() -> List.of(up, down), TIMEOUT)) {
            Server querier = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new MetadataServer(fanOut).metadataService()).build().start();
            servers.add(querier);
            MetadataClient above = new MetadataClient("querier", endpoint("127.0.0.1:" + querier.getPort()).client().channel(), TIMEOUT);
            MetadataClient.Answer partial = above.metricMetadata("", 1, PartialResponse.WARN);
            assertThat(partial.frames()).singleElement().isEqualTo(metas("a_total", List.of(REQUESTS)));
            assertThat(partial.warnings()).singleElement().asString().contains("store querier: store " + down.client().name(), "prometheus down");
            assertThatThrownBy(() -> above.metricMetadata("", -1, PartialResponse.ABORT))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("ABORTED"));
        }
    }

    @Test
    void answersPrometheusJson() throws Exception {
        StoreFanOut.Endpoint a = serve(source(metas("zz_total", List.of(REQUESTS), "build_info", List.of(BUILD),
                "request_duration_seconds", List.of(DURATION))));
        try (MetadataFanOut fanOut = new MetadataFanOut(() -> List.of(a), TIMEOUT)) {
            // names sorted as Go writes map keys; Go's HTML-safe string escaping
            assertThat(fanOut.apiAnswer("", "", true)).isEqualTo("{\"status\":\"success\",\"data\":{"
                    + "\"build_info\":[{\"type\":\"gauge\",\"help\":\"Build \\u003cinfo\\u003e \\u0026 \\\"version\\\".\",\"unit\":\"\"}],"
                    + "\"request_duration_seconds\":[{\"type\":\"histogram\",\"help\":\"Request time.\",\"unit\":\"seconds\"}],"
                    + "\"zz_total\":[{\"type\":\"counter\",\"help\":\"Requests served.\",\"unit\":\"\"}]}}");
            assertThat(fanOut.apiAnswer("", "0", true)).isEqualTo("{\"status\":\"success\",\"data\":{}}");
            assertThat(fanOut.apiAnswer("zz_total", "-1", true)).contains("zz_total").doesNotContain("build_info");
            assertThat(fanOut.apiAnswer("", "99999999999", true)).contains("zz_total", "build_info");
            assertThatThrownBy(() -> fanOut.apiAnswer("", "ten", true)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.type()).isEqualTo(ErrorType.BAD_DATA);
                assertThat(e.getMessage()).isEqualTo("limit must be a number");
            });
        }
        try (MetadataFanOut none = new MetadataFanOut(List::of, TIMEOUT)) {
            assertThat(none.apiAnswer("", "", true)).isEqualTo("{\"status\":\"success\",\"data\":{}}");
        }
    }
}
