package io.gauntlet.integration;

import static io.gauntlet.integration.RealStackParityTest.QUERIES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.frontend.testing.MemcachedServer;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query frontend as its fast-jar in front of the real querier (fast-jar) over a store gateway (fast-jar) serving
 * three days of blocks from a bucket, its results cache in Debian's memcached, block events from the run's Kafka.
 * Range queries through the frontend (split by day, merged, cached) answer byte for byte what the querier answers for
 * the whole range, cold and warm; a block backfilled into the middle day with its event is in the next answer and only
 * that day is asked again; memcached and the querier going away and coming back leave answers correct.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryFrontendStackTest {
    private static final long H = 3_600_000L;
    private static final long DAY = 24 * H;
    private static final long D0 = 1_690_000_000_000L / DAY * DAY;
    private static final long END = D0 + 3 * DAY;
    private static final Pattern SAMPLE = Pattern.compile("^(\\S+?)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    @TempDir
    static Path work;
    private static final ServiceProcess.Group processes = new ServiceProcess.Group();
    private static MemcachedServer memcached;
    private static Path bucket;
    private static String topic;
    private static List<String> querierProperties;
    private static int querierPort;
    private static ServiceProcess querier;
    private static String querierUrl;
    private static String frontendUrl;

    @BeforeAll
    static void startStack() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        topic = kafka.createTopic("frontend-stack-blocks", 1);
        memcached = MemcachedServer.start();
        SampleSet data = RealStackParityTest.generate(D0, END, 60_000, 6, 18);
        bucket = Files.createDirectories(work.resolve("bucket"));
        for (long from = D0; from < END; from += DAY) {
            data.writeBlock(bucket, from, from + DAY, Map.of("cluster", "it"));
        }
        Path objstore = work.resolve("objstore.yml");
        Files.writeString(objstore, "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n");
        String gatewayGrpc = "127.0.0.1:" + ServiceProcess.freePort();
        processes.add(ServiceProcess.startService("store-gateway", work, ServiceProcess.freePort(), List.of(
                "-Dgauntlet.grpc.address=" + gatewayGrpc, "-Dgauntlet.store-gateway.objstore-config-file=" + objstore,
                "-Dgauntlet.store-gateway.data-dir=" + work.resolve("gateway-data"),
                "-Dgauntlet.store-gateway.kafka-bootstrap=" + kafka.bootstrapServers(), "-Dgauntlet.store-gateway.events-topic=" + topic)));
        querierPort = ServiceProcess.freePort();
        querierProperties = List.of("-Dgauntlet.grpc.address=127.0.0.1:" + ServiceProcess.freePort(),
                "-Dgauntlet.querier.endpoints=" + gatewayGrpc, "-Dgauntlet.querier.info-interval=1s");
        startQuerier();

        Path cacheConfig = work.resolve("response-cache.yml");
        Files.writeString(cacheConfig, "type: MEMCACHED\nconfig:\n  addresses: [\"" + memcached.address() + "\"]\n  timeout: 2s\n"
                + "  max_item_size: 8MiB\n");
        int frontendPort = ServiceProcess.freePort();
        processes.add(ServiceProcess.startService("query-frontend", work, frontendPort, List.of(
                "-Dgauntlet.query-frontend.downstream-url=" + querierUrl,
                "-Dgauntlet.query-frontend.response-cache-config-file=" + cacheConfig,
                "-Dgauntlet.query-frontend.max-retries-per-request=1",
                "-Dgauntlet.query-frontend.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dgauntlet.query-frontend.kafka.topic=" + topic)));
        frontendUrl = "http://127.0.0.1:" + frontendPort;
        await("the frontend's block events flow").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> metric("gauntlet_query_frontend_block_events_live", "") == 1);
    }

    private static void startQuerier() throws IOException {
        querier = processes.add(ServiceProcess.startService("querier", "querier", work, querierPort, querierProperties));
        querierUrl = "http://127.0.0.1:" + querierPort;
        await("the querier sees the store gateway").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ServiceProcess.get(querierUrl + "/api/v1/stores").body().contains("\"healthy\":true"));
    }

    @AfterAll
    static void stopStack() {
        processes.close();
        if (memcached != null) {
            memcached.close();
        }
    }

    private static String rangePath(String query, long start, long end, String step) {
        return "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + seconds(start) + "&end="
                + seconds(end) + "&step=" + step;
    }

    private static String seconds(long millis) {
        return java.math.BigDecimal.valueOf(millis, 3).toPlainString();
    }

    private static HttpResponse<String> get(String base, String path) throws IOException {
        return ServiceProcess.get(base + path);
    }

    /** The value of a sample in the frontend's /metrics (name and the labels text inside the braces, "" for none). */
    private static double metric(String name, String labels) throws IOException {
        Matcher matcher = SAMPLE.matcher(get(frontendUrl, "/metrics").body());
        double sum = 0;
        while (matcher.find()) {
            if (matcher.group(1).equals(name) && (labels.isEmpty() || matcher.group(2) != null && matcher.group(2).contains(labels))) {
                sum += Double.parseDouble(matcher.group(3));
            }
        }
        return sum;
    }

    private static double downstreamRequests() throws IOException {
        return metric("gauntlet_query_frontend_downstream_requests_total", "");
    }

    @Test
    @Order(1)
    void rangeQueriesEqualTheQueriersWholeRangeAnswerByteForByteColdAndWarm() throws IOException {
        List<String> differences = new ArrayList<>();
        List<String> queries = new ArrayList<>(QUERIES);
        queries.addAll(List.of("node_temperature_celsius @ start()", "max_over_time(node_temperature_celsius[1h] @ end())",
                "avg_over_time(node_temperature_celsius[2h:7m] offset 10m)", "timestamp(gappy_values) - time()"));
        Random random = new Random(18);
        String[] steps = {"60", "300", "420", "47", "3600", "1h30m"};
        int nonEmpty = 0;
        for (String query : queries) {
            String step = steps[random.nextInt(steps.length)];
            long stepMillis = step.equals("1h30m") ? 90 * 60_000L : Long.parseLong(step) * 1000;
            // multiples of the step (from 1970): the frontend aligns ranges to the step, as Thanos' does by default
            long start = (D0 + random.nextLong(2 * DAY)) / stepMillis * stepMillis;
            long end = Math.min(END, start + DAY / 2 + random.nextLong(DAY + DAY / 2)) / stepMillis * stepMillis;
            if ((end - start) / stepMillis > 11_000) {
                end = start + 11_000 * stepMillis;
            }
            String path = rangePath(query, start, end, step);
            HttpResponse<String> expected = get(querierUrl, path);
            assertThat(expected.statusCode()).as(path + " " + expected.body()).isEqualTo(200);
            nonEmpty += expected.body().contains("\"result\":[]") ? 0 : 1;
            for (String pass : List.of("cold", "warm")) {
                HttpResponse<String> actual = get(frontendUrl, path);
                if (actual.statusCode() != 200 || !actual.body().equals(expected.body())) {
                    differences.add(pass + " " + path + ": " + actual.statusCode() + " " + abbreviate(actual.body()) + " instead of "
                            + abbreviate(expected.body()));
                }
            }
        }
        assertThat(differences).isEmpty();
        assertThat(nonEmpty).as("non-empty answers").isGreaterThan(queries.size() * 8 / 10);
        assertThat(metric("thanos_frontend_split_queries_total", "")).isGreaterThan(queries.size());
        assertThat(metric("cortex_cache_hits_total", "")).as("the warm pass came from memcached").isPositive();
        // a bad query is the querier's own error, in Prometheus' form
        HttpResponse<String> bad = get(frontendUrl, rangePath("sum(", D0, D0 + H, "60"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo(get(querierUrl, rangePath("sum(", D0, D0 + H, "60")).body());
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    @Test
    @Order(3)
    void aBackfilledBlockWithItsEventIsInTheNextAnswerAndOnlyItsDayIsAskedAgain() throws Exception {
        String path = rangePath("sum by (job) (count_over_time(http_requests_total[10m]))", D0, END - 600_000, "600");
        String before = get(frontendUrl, path).body();
        assertThat(get(frontendUrl, path).body()).isEqualTo(before);
        double warm = downstreamRequests();
        assertThat(get(frontendUrl, path).body()).isEqualTo(before);
        assertThat(downstreamRequests()).as("three days, all cached").isEqualTo(warm);

        // a late block of a replica that was offline: two hours in the middle day, written to the bucket, then its event
        long from = D0 + DAY + 10 * H;
        int n = (int) (2 * H / 30_000);
        long[] timestamps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            timestamps[i] = from + i * 30_000L;
            values[i] = i;
        }
        SampleSet late = new SampleSet(List.of(new SampleSet.Series(
                Labels.of("__name__", "http_requests_total", "job", "backfill", "instance", "late", "code", "200"), timestamps, values)));
        Path block = late.writeBlock(bucket, from, from + 2 * H, Map.of("cluster", "it"));
        String ulid = block.getFileName().toString();
        double eventsBefore = metric("gauntlet_query_frontend_block_events_total", "type=\"uploaded\"");
        try (BlockEventPublisher publisher = BlockEventPublisher.create(new HashMap<>(KafkaFixture.shared().clientConfig()), topic)) {
            publisher.publish(BlockEvent.of(BlockEventType.UPLOADED, ulid, from, from + 2 * H, Labels.of("cluster", "it"), 0, 1,
                    List.of(ulid), BlockStats.EMPTY, "gauntlet/test")).get();
        }
        await("the querier serves the backfilled block").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> get(querierUrl, path).body().contains("\"job\":\"backfill\""));
        await("the frontend got the event").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> metric("gauntlet_query_frontend_block_events_total", "type=\"uploaded\"") > eventsBefore);

        double asked = downstreamRequests();
        String after = get(frontendUrl, path).body();
        assertThat(after).isEqualTo(get(querierUrl, path).body()).contains("\"job\":\"backfill\"");
        assertThat(downstreamRequests() - asked).as("only the middle day was computed again").isEqualTo(1);
        assertThat(metric("gauntlet_query_frontend_extents_invalidated_total", "reason=\"block-event\"")).isPositive();
    }

    @Test
    @Order(2)
    void memcachedAndTheQuerierGoingAwayAndComingBackLeaveAnswersCorrect() throws Exception {
        String path = rangePath("max by (job) (node_temperature_celsius)", D0 + H, END - H, "900");
        String expected = get(querierUrl, path).body();

        memcached.stop();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> uncached = get(frontendUrl, path);
            assertThat(uncached.statusCode()).isEqualTo(200);
            assertThat(uncached.body()).as("memcached down: answered by the querier").isEqualTo(expected);
        }
        memcached.restart();
        await("cached again once memcached is back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(get(frontendUrl, path).body()).isEqualTo(expected);
            double asked = downstreamRequests();
            assertThat(get(frontendUrl, path).body()).isEqualTo(expected);
            return downstreamRequests() == asked;
        });

        querier.close();
        String uncachedPath = rangePath("min by (job) (node_temperature_celsius)", D0 + H, END - H, "900");
        HttpResponse<String> down = get(frontendUrl, uncachedPath);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).startsWith("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"querier ");
        assertThat(get(frontendUrl, path).body()).as("what is cached is still served").isEqualTo(expected);

        startQuerier();
        HttpResponse<String> back = get(frontendUrl, uncachedPath);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo(get(querierUrl, uncachedPath).body());
    }

    @Test
    @Order(4)
    void everythingElseIsPassedThroughAndTheProbesAnswer() throws IOException {
        String window = "start=" + D0 / 1000 + "&end=" + (END - DAY) / 1000;
        for (String path : List.of("/api/v1/query?query=" + URLEncoder.encode("sum(node_temperature_celsius)", StandardCharsets.UTF_8)
                        + "&time=" + (D0 + DAY) / 1000, "/api/v1/labels?" + window, "/api/v1/label/instance/values?" + window,
                "/api/v1/series?match[]=" + URLEncoder.encode("gappy_values", StandardCharsets.UTF_8) + "&" + window)) {
            for (int pass = 0; pass < 2; pass++) {
                HttpResponse<String> actual = get(frontendUrl, path);
                assertThat(actual.statusCode()).as(path).isEqualTo(200);
                assertThat(actual.body()).as(path).isEqualTo(get(querierUrl, path).body());
            }
        }
        assertThat(get(frontendUrl, "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(get(frontendUrl, "/-/ready").statusCode()).isEqualTo(200);
        assertThat(get(frontendUrl, "/metrics").body()).contains("thanos_query_frontend_queries_total{op=\"query_range\"}");
    }
}
