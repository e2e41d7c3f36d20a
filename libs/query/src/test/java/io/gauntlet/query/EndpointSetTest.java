package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.tsdb.Labels;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EndpointSetTest {
    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void discoveredEndpointsAreMarkedUnhealthyThenDropped() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryChunkSource source = new MemoryChunkSource("store", Labels.of("zone", "a"))
                .add(Labels.of("__name__", "m"), new long[] {1000, 2000}, new double[] {1, 2});
        StoreFixture store = StoreFixture.serve(source);
        int port = Integer.parseInt(store.address().substring(store.address().lastIndexOf(':') + 1));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (EndpointSet endpoints = new EndpointSet(List.of("dns+store.example:" + port, "127.0.0.1:" + closedPort),
                Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(5), clock, host -> List.of("127.0.0.1"))) {
            endpoints.refresh();
            assertThat(endpoints.healthy()).hasSize(1);
            assertThat(endpoints.healthy().getFirst().info().getStore().getMaxTime()).isEqualTo(2000);
            assertThat(endpoints.statuses()).hasSize(2);
            EndpointSet.EndpointStatus down = endpoints.statuses().stream().filter(s -> !s.healthy()).findFirst().orElseThrow();
            assertThat(down.lastError()).contains("UNAVAILABLE");

            store.close();
            endpoints.refresh();
            assertThat(endpoints.healthy()).isEmpty();
            assertThat(endpoints.statuses()).hasSize(2); // unhealthy, not yet dropped
            clock.now.set(clock.now.get().plus(Duration.ofMinutes(6)));
            endpoints.refresh();
            // the discovered endpoint is gone; the static one stays listed as down
            assertThat(endpoints.statuses()).extracting(EndpointSet.EndpointStatus::spec).containsExactly("127.0.0.1:" + closedPort);
        }
    }

    @Test
    void badSpecsAreRefused() {
        assertThatThrownBy(() -> new EndpointSet(List.of("nohost"), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> new EndpointSet(List.of("dns+a:99999"), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5)))
                .hasMessageContaining("port out of range");
    }
}
