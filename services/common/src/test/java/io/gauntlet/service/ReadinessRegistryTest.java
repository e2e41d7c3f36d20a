package io.gauntlet.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ReadinessRegistryTest {
    @Test
    void readyOnlyWhenEveryConditionHolds() {
        ReadinessRegistry registry = new ReadinessRegistry();
        assertThat(registry.ready()).isTrue();
        ReadinessCondition prometheus = registry.condition("prometheus", "not read yet");
        registry.register("bucket", () -> null);
        assertThat(registry.notReadyReasons()).containsExactly("prometheus: not read yet");
        prometheus.markReady();
        assertThat(registry.ready()).isTrue();
        prometheus.markNotReady("prometheus http://p:9090 unreachable");
        registry.register("kafka", () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(registry.notReadyReasons()).containsExactly("kafka: readiness check failed: java.lang.IllegalStateException: boom",
                "prometheus: prometheus http://p:9090 unreachable");
        registry.unregister("kafka");
        prometheus.markNotReady(" ");
        assertThat(registry.notReadyReasons()).containsExactly("prometheus: not ready");
    }

    @Test
    void grpcAddressesParse() {
        assertThat(GrpcServerLifecycle.parseAddress("127.0.0.1:0")).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(GrpcServerLifecycle.parseAddress(":10901").getPort()).isEqualTo(10901);
        assertThat(GrpcServerLifecycle.parseAddress("[::1]:10901").getAddress().isLoopbackAddress()).isTrue();
        for (String bad : new String[] {"10901", "host:port", "host:70000"}) {
            assertThatThrownBy(() -> GrpcServerLifecycle.parseAddress(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gauntlet.grpc.address");
        }
    }
}
