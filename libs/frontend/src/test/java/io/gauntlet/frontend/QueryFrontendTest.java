package io.gauntlet.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.frontend.cache.InMemoryResultsCache;
import io.gauntlet.frontend.cache.ResultsCache;
import io.gauntlet.frontend.testing.EngineQuerier;
import io.gauntlet.tsdb.Labels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The frontend over the real PromQL engine: split, cached and merged answers equal the engine's answer for the whole
 * range byte for byte, cold and warm, for random ranges and steps; block changes make exactly the extents they touch
 * stale; retries; errors in Prometheus' form.
 */
class QueryFrontendTest {
    private static final long H = 3_600_000L;
    private static final long DAY = 24 * H;
    static final long T0 = 1_700_000_000_000L / DAY * DAY;
    static final long END = T0 + 3 * DAY;

    static final List<String> QUERIES = List.of(
            "requests_total",
            "rate(requests_total[5m])",
            "sum by (job) (rate(requests_total[10m]))",
            "avg_over_time(temperature[20m])",
            "temperature offset 1h",
            "temperature offset -30m",
            "temperature @ start()",
            "max_over_time(temperature[1h] @ end())",
            "temperature @ " + (T0 + DAY) / 1000,
            "max_over_time(rate(requests_total[5m])[30m:1m])",
            "avg_over_time(temperature[2h:7m] offset 10m)",
            "timestamp(gappy)",
            "changes(gappy[30m])",
            "absent(gappy{instance=\"i9\"})",
            "sum(temperature) / count(temperature)",
            "topk(2, temperature)",
            "vector(time())",
            "scalar(sum(temperature))",
            "label_replace(temperature, \"x\", \"$1\", \"instance\", \"i(.)\")",
            "requests_total > bool 1000");

    private final MutableClock clock = new MutableClock(END + 7 * DAY);
    private EngineQuerier querier;
    private InvalidationLog invalidations;
    private SimpleMeterRegistry meters;

    @BeforeEach
    void start() throws IOException {
        querier = new EngineQuerier();
        fill(querier, new Random(18), T0, END);
        meters = new SimpleMeterRegistry();
        invalidations = new InvalidationLog(clock, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ZERO, 10_000);
        invalidations.coverageStarted();
        invalidations.setLive(true, "");
        clock.advance(Duration.ofMinutes(1)); // past the coverage start's grace
    }

    @AfterEach
    void stop() {
        querier.close();
    }

    /** A few instances of counters, gauges and a gappy series, scraped every 30 s at their own phase. */
    static void fill(EngineQuerier querier, Random random, long from, long to) {
        for (int instance = 0; instance < 4; instance++) {
            long phase = random.nextInt(30_000);
            double counter = 0;
            double temperature = 40 + instance;
            for (long t = from + phase; t < to; t += 30_000) {
                counter += random.nextInt(20);
                temperature += (random.nextInt(9) - 4) * 0.125;
                String name = "i" + instance;
                querier.storage().append(Labels.of("__name__", "requests_total", "job", instance < 2 ? "api" : "web", "instance", name), t, counter);
                querier.storage().append(Labels.of("__name__", "temperature", "job", "node", "instance", name), t, temperature);
                if (instance < 2 && (t / 60_000 + instance * 17) % 90 < 50) {
                    querier.storage().append(Labels.of("__name__", "gappy", "instance", name), t, random.nextInt(100));
                }
            }
        }
    }

    private QueryFrontend frontend(FrontendOptions options, boolean cached) {
        InMemoryResultsCache cache = cached ? new InMemoryResultsCache(256L << 20, 0, Duration.ZERO, clock, meters) : null;
        return new QueryFrontend(new Downstream(querier.url(), Duration.ofSeconds(30)), cache, invalidations, options, clock, meters);
    }

    private static Parameters rangeParameters(String query, long start, long end, String step) {
        return Parameters.of(null, "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + seconds(start) + "&end="
                + seconds(end) + "&step=" + step + "&dedup=true");
    }

    private static String seconds(long millis) {
        return java.math.BigDecimal.valueOf(millis, 3).toPlainString();
    }

    private static String body(Downstream.Answer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    @Test
    void splitAndMergedAnswersAreTheWholeRangeAnswerByteForByte() {
        FrontendOptions options = FrontendOptions.defaults().withSplitInterval(Duration.ofHours(6)).withAlignRangeWithStep(false);
        try (QueryFrontend frontend = frontend(options, true)) {
            Random random = new Random(7);
            String[] steps = {"60", "47", "13", "90", "420", "3600", "1m30s"};
            int compared = 0;
            for (String query : QUERIES) {
                for (int round = 0; round < 3; round++) {
                    long start = T0 + (long) (random.nextDouble() * 2 * DAY) + random.nextInt(1000);
                    long end = start + (long) (random.nextDouble() * DAY) + 1;
                    String step = steps[random.nextInt(steps.length)];
                    long stepMillis = io.gauntlet.query.ApiParameters.nanosToMillis(io.gauntlet.query.ApiParameters.parseDurationNanos(step));
                    if ((end - start) / stepMillis > 11_000) {
                        continue;
                    }
                    String expected = querier.answer(query, start, end, stepMillis);
                    for (String pass : List.of("cold", "warm")) {
                        Downstream.Answer answer = frontend.queryRange(rangeParameters(query, start, end, step), Map.of());
                        assertThat(body(answer)).as(pass + " " + query + " " + start + ".." + end + " step " + step).isEqualTo(expected);
                        compared++;
                    }
                    // a range overlapping the cached one: cached extents and new gaps merged
                    long shifted = start + stepMillis * (1 + random.nextInt(500));
                    long shiftedEnd = end + stepMillis * random.nextInt(500);
                    if ((shiftedEnd - shifted) / stepMillis <= 11_000) {
                        assertThat(body(frontend.queryRange(rangeParameters(query, shifted, shiftedEnd, step), Map.of())))
                                .as("shifted " + query).isEqualTo(querier.answer(query, shifted, shiftedEnd, stepMillis));
                        compared++;
                    }
                }
            }
            assertThat(compared).isGreaterThan(QUERIES.size() * 6);
            assertThat(meters.get("gauntlet_query_frontend_extents_served").counter().count()).isPositive();
        }
    }

    @Test
    void alignedRequestsEqualTheQuerierOnTheAlignedRange() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults(), true)) {
            long start = T0 + 5 * H + 12_345;
            long end = END - 17_000;
            String answer = body(frontend.queryRange(rangeParameters("sum by (job) (rate(requests_total[5m]))", start, end, "300"), Map.of()));
            assertThat(answer).isEqualTo(querier.answer("sum by (job) (rate(requests_total[5m]))", start / 300_000 * 300_000, end / 300_000 * 300_000, 300_000));
            assertThat(meters.get("thanos_frontend_split_queries").counter().count()).isEqualTo(3); // three days
        }
    }

    @Test
    void theCachedPartsOfOneQueryAreFetchedInOneMultiGet() {
        List<List<String>> fetches = new ArrayList<>();
        InMemoryResultsCache memory = new InMemoryResultsCache(256L << 20, 0, Duration.ZERO, clock, meters);
        ResultsCache recording = new ResultsCache() {
            @Override
            public synchronized Map<String, byte[]> fetch(List<String> keys) {
                fetches.add(List.copyOf(keys));
                return memory.fetch(keys);
            }

            @Override
            public void store(String key, byte[] value) {
                memory.store(key, value);
            }

            @Override
            public long maxItemSize() {
                return memory.maxItemSize();
            }

            @Override
            public void close() {
            }
        };
        try (QueryFrontend frontend = new QueryFrontend(new Downstream(querier.url(), Duration.ofSeconds(30)), recording, invalidations,
                FrontendOptions.defaults(), clock, meters)) {
            String query = "sum by (job) (rate(requests_total[5m]))";
            Parameters request = rangeParameters(query, T0, END - 60_000, "300");
            frontend.queryRange(request, Map.of());
            querier.clearRequests();
            String warm = body(frontend.queryRange(request, Map.of()));
            assertThat(querier.requests()).as("warm: every day from the cache").isEmpty();
            assertThat(warm).isEqualTo(querier.answer(query, T0, END - 60_000, 300_000));
            assertThat(fetches).as("one round trip a query, with the keys of its three days").hasSize(2)
                    .allSatisfy(keys -> assertThat(keys).hasSize(3).doesNotHaveDuplicates());
        }
    }

    @Test
    void aBlockChangeMakesOnlyTheExtentsItTouchesStale() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults(), true)) {
            String query = "sum by (job) (count_over_time(requests_total[10m]))";
            Parameters request = rangeParameters(query, T0, END - 60_000, "600");
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).hasSize(3);
            querier.clearRequests();
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).as("warm: every day from the cache").isEmpty();

            // a backfilled 2h block in the middle day: its samples, then its event
            long blockStart = T0 + DAY + 10 * H;
            for (long t = blockStart; t < blockStart + 2 * H; t += 15_000) {
                querier.storage().append(Labels.of("__name__", "requests_total", "job", "backfill", "instance", "late"), t, t / 1000.0);
            }
            clock.advance(Duration.ofSeconds(5));
            invalidations.add(blockStart, blockStart + 2 * H - 1, Labels.of("cluster", "eu", "prometheus_replica", "a"));
            String answer = body(frontend.queryRange(request, Map.of()));
            assertThat(answer).isEqualTo(querier.answer(query, T0, END - 60_000, 600_000)).contains("\"job\":\"backfill\"");
            assertThat(querier.requests()).as("only the middle day was computed again")
                    .extracting(r -> r.start() / DAY * DAY).containsExactly(T0 + DAY);
            assertThat(meters.get("gauntlet_query_frontend_extents_invalidated").tag("reason", "block-event").counter().count()).isEqualTo(1);

            // computed within the grace after the event: not kept (a store gateway may not have loaded the block yet)
            querier.clearRequests();
            clock.advance(Duration.ofMinutes(2));
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).extracting(r -> r.start() / DAY * DAY).containsExactly(T0 + DAY);
            querier.clearRequests();
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).as("after the grace the new answer is kept").isEmpty();
        }
    }

    @Test
    void externalLabelsNoSelectorTakesDoNotInvalidate() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults(), true)) {
            Parameters request = rangeParameters("sum(rate(requests_total{cluster=\"eu\"}[5m]))", T0, END - 60_000, "900");
            frontend.queryRange(request, Map.of());
            querier.clearRequests();
            clock.advance(Duration.ofSeconds(5));
            invalidations.add(T0, END, Labels.of("cluster", "us"));
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).as("a us block cannot change a cluster=\"eu\" query").isEmpty();
            invalidations.add(T0 + DAY, T0 + DAY + H, Labels.of("cluster", "eu"));
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).hasSize(1);
        }
    }

    @Test
    void withoutEventsExtentsLiveForTheTtlOnly() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults(), true)) {
            Parameters request = rangeParameters("temperature", T0, END - 60_000, "1800");
            frontend.queryRange(request, Map.of());
            invalidations.setLive(false, "test: Kafka unreachable");
            querier.clearRequests();
            clock.advance(Duration.ofMinutes(2));
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).as("younger than the TTL").isEmpty();
            clock.advance(Duration.ofMinutes(4));
            frontend.queryRange(request, Map.of());
            assertThat(querier.requests()).as("older than the TTL: computed again").hasSize(3);
            assertThat(meters.get("gauntlet_query_frontend_extents_invalidated").tag("reason", "ttl").counter().count()).isEqualTo(3);
        }
    }

    @Test
    void theNewestMinuteIsNeverCached() {
        clock.set(T0 + DAY + 30_000);
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults(), true)) {
            Parameters request = rangeParameters("temperature", T0 + DAY - 10 * 60_000, T0 + DAY + 30_000, "15");
            frontend.queryRange(request, Map.of());
            querier.clearRequests();
            frontend.queryRange(request, Map.of());
            // the first part's last step and the second part lie within the last minute: asked again, nothing before
            assertThat(querier.requests()).hasSize(2).allSatisfy(r -> assertThat(r.start()).isGreaterThan(T0 + DAY - 60_000));
        }
    }

    @Test
    void retriesAfterFailuresAndAnswersPrometheusErrors() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults().withMaxRetries(2), false)) {
            Parameters request = rangeParameters("temperature", T0, T0 + 2 * H, "60");
            querier.failNext(2);
            assertThat(body(frontend.queryRange(request, Map.of()))).isEqualTo(querier.answer("temperature", T0, T0 + 2 * H, 60_000));
            querier.failNext(3);
            Downstream.Answer failed = frontend.queryRange(request, Map.of());
            assertThat(failed.status()).isEqualTo(503);
            assertThat(body(failed)).startsWith("{\"status\":\"error\",\"errorType\":\"unavailable\"");

            Downstream.Answer bad = frontend.queryRange(rangeParameters("sum(", T0, T0 + H, "60"), Map.of());
            assertThat(bad.status()).isEqualTo(400);
            assertThat(body(bad)).isEqualTo(querier.answer("sum(", T0, T0 + H, 60_000)); // the querier's own error, passed on
        }
        querier.close();
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults().withMaxRetries(1), false)) {
            Downstream.Answer down = frontend.queryRange(rangeParameters("temperature", T0, T0 + H, "60"), Map.of());
            assertThat(down.status()).isEqualTo(503);
            assertThat(body(down)).contains("\"errorType\":\"unavailable\"").contains("connection refused");
        }
    }

    @Test
    void queriesLongerThanTheLimitAreRefused() {
        try (QueryFrontend frontend = frontend(FrontendOptions.defaults().withMaxQueryLength(Duration.ofDays(1)), false)) {
            Downstream.Answer answer = frontend.queryRange(rangeParameters("temperature", T0, T0 + 2 * DAY, "3600"), Map.of());
            assertThat(answer.status()).isEqualTo(400);
            assertThat(body(answer)).isEqualTo("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"the query time range exceeds the limit "
                    + "(query length: 48h0m0s, limit: 24h0m0s)\"}");
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration duration) {
            millis += duration.toMillis();
        }

        void set(long value) {
            millis = value;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

}
