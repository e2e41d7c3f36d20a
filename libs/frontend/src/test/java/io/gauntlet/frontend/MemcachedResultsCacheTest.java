package io.gauntlet.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.frontend.cache.MemcachedResultsCache;
import io.gauntlet.frontend.cache.ResultsCacheConfig;
import io.gauntlet.frontend.testing.EngineQuerier;
import io.gauntlet.frontend.testing.MemcachedServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frontend over a real memcached (Debian's): answers from it, and correct answers while it is down and after. */
class MemcachedResultsCacheTest {
    @Test
    void cachesInMemcachedAndSurvivesItsOutage() throws Exception {
        try (MemcachedServer memcached = MemcachedServer.start(); EngineQuerier querier = new EngineQuerier()) {
            QueryFrontendTest.fill(querier, new Random(3), QueryFrontendTest.T0, QueryFrontendTest.END);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ResultsCacheConfig config = ResultsCacheConfig.parse("type: MEMCACHED\nconfig:\n  addresses: [\"" + memcached.address()
                    + "\"]\n  timeout: 500ms\n  max_item_size: 4MiB\n  expiration: 168h\n");
            InvalidationLog log = new InvalidationLog(Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(5), Duration.ofDays(7), 1000);
            log.coverageStarted();
            log.setLive(true, "");
            MemcachedResultsCache cache = (MemcachedResultsCache) ResultsCacheConfig.create(config, Clock.systemUTC(), meters);
            await("connected to memcached").atMost(Duration.ofSeconds(10)).until(cache::connected);
            Thread.sleep(1); // the coverage start is "now": extents computed from the next millisecond on are covered
            try (QueryFrontend frontend = new QueryFrontend(new Downstream(querier.url(), Duration.ofSeconds(30)), cache, log,
                    FrontendOptions.defaults(), Clock.systemUTC(), meters)) {
                String query = "sum by (job) (rate(requests_total[5m]))";
                Parameters request = Parameters.of(null, "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start="
                        + QueryFrontendTest.T0 / 1000 + "&end=" + (QueryFrontendTest.END - 600_000) / 1000 + "&step=300");
                String expected = querier.answer(query, QueryFrontendTest.T0, QueryFrontendTest.END - 600_000, 300_000);
                assertThat(new String(frontend.queryRange(request, Map.of()).body(), StandardCharsets.UTF_8)).isEqualTo(expected);
                querier.clearRequests();
                await("stored asynchronously, then served from memcached").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(new String(frontend.queryRange(request, Map.of()).body(), StandardCharsets.UTF_8)).isEqualTo(expected);
                    assertThat(querier.requests()).isEmpty();
                });
                assertThat(meters.get("thanos_cache_memcached_hits").counter().count()).isPositive();

                memcached.stop();
                querier.clearRequests();
                assertThat(new String(frontend.queryRange(request, Map.of()).body(), StandardCharsets.UTF_8)).as("memcached down").isEqualTo(expected);
                assertThat(querier.requests()).hasSize(3);
                assertThat(meters.get("thanos_memcached_operation_failures").tag("operation", "getmulti").counter().count()).isPositive();

                memcached.restart(); // empty again, as after a restart
                await("memcached back: the frontend stores and serves again").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    querier.clearRequests();
                    assertThat(new String(frontend.queryRange(request, Map.of()).body(), StandardCharsets.UTF_8)).isEqualTo(expected);
                    assertThat(querier.requests()).isEmpty();
                });
            }
        }
    }

    @Test
    void thanosCacheConfigIsReadAsThanosReadsIt() {
        ResultsCacheConfig memory = ResultsCacheConfig.parse("type: in-memory\nconfig:\n  max_size: 1GB\n  validity: 6h\n");
        assertThat(memory).isEqualTo(new ResultsCacheConfig.InMemory(1L << 30, 0, Duration.ofHours(6)));
        ResultsCacheConfig.Memcached memcached = (ResultsCacheConfig.Memcached) ResultsCacheConfig.parse(
                "type: MEMCACHED\nconfig:\n  addresses: [dns+memcached:11211]\n  max_item_size: 2MiB\n");
        assertThat(memcached.addresses()).containsExactly("dns+memcached:11211");
        assertThat(memcached.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(memcached.maxItemSize()).isEqualTo(2L << 20);
        assertThat(memcached.expiration()).isEqualTo(Duration.ofHours(24));
        assertThat(List.of("type: MEMCACHED\nconfig:\n  adresses: [a:1]\n", "type: REDIS\nconfig: {}\n", "type: IN-MEMORY\nconfig: {}\n",
                "kind: IN-MEMORY\n")).allSatisfy(yaml -> assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ResultsCacheConfig.parse(yaml)))
                .isInstanceOf(ResultsCacheConfig.InvalidConfigException.class));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ResultsCacheConfig.parse("type: MEMCACHED\nconfig:\n  adresses: [a:1]\n")))
                .hasMessageContaining("field adresses not found");
    }
}
