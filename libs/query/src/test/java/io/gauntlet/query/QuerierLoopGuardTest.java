package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.QuerierFixture;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A querier refuses endpoints that lead back to it: itself, or another querier that queries it. */
class QuerierLoopGuardTest {
    private StoreFixture store;
    private final AtomicReference<List<String>> specsA = new AtomicReference<>(List.of());
    private final AtomicReference<List<String>> specsB = new AtomicReference<>(List.of());
    private QuerierFixture a;
    private QuerierFixture b;

    @BeforeEach
    void start() throws Exception {
        store = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("cluster", "eu"))
                .add(Labels.of("__name__", "up"), new long[] {1000, 2000}, new double[] {1, 1}));
        a = QuerierFixture.withSpecs(specsA);
        b = QuerierFixture.withSpecs(specsB);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        store.close();
    }

    private static EndpointSet.EndpointStatus status(QuerierFixture querier, String address) {
        return querier.endpoints().statuses().stream().filter(s -> s.name().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void aQuerierListingItselfRefusesThatEndpoint() {
        specsA.set(List.of(store.address(), a.address()));
        a.refresh();
        EndpointSet.EndpointStatus self = status(a, a.address());
        assertThat(self.healthy()).isFalse();
        assertThat(self.lastError()).contains("refused", "loop back to this querier (id " + a.id() + ")", "it is this querier itself");
        assertThat(a.endpoints().loopingEndpoints()).isEqualTo(1);
        assertThat(a.endpoints().healthy()).extracting(e -> e.client().name()).containsExactly(store.address());
    }

    @Test
    void aLoopThroughAnotherQuerierIsRefusedAndHealsWhenItIsRemoved() {
        specsA.set(List.of(store.address(), b.address()));
        specsB.set(List.of(a.address()));
        a.refresh(); // b answers for itself alone: accepted
        assertThat(status(a, b.address()).healthy()).isTrue();
        b.refresh(); // a reaches b: b refuses a
        assertThat(status(b, a.address()).lastError()).contains("it is querier " + a.id() + ", whose endpoints lead back to this querier");
        a.refresh(); // b still tells it reaches a: a refuses b too
        assertThat(status(a, b.address()).healthy()).isFalse();
        assertThat(status(a, b.address()).lastError()).contains("it is querier " + b.id());
        assertThat(status(a, store.address()).healthy()).isTrue();

        specsB.set(List.of()); // the operator removes the loop
        b.refresh();
        a.refresh();
        assertThat(status(a, b.address()).healthy()).isTrue();
        assertThat(a.endpoints().loopingEndpoints()).isZero();
    }

    @Test
    void aCallThatAlreadyPassedThroughTheQuerierIsRefused() {
        specsA.set(List.of(store.address()));
        a.refresh();
        // a call as querier a itself would send it, e.g. before its Info polls noticed a loop
        ManagedChannel channel = Grpc.newChannelBuilder(a.address(), InsecureChannelCredentials.create()).build();
        try (StoreClient looped = new StoreClient("a-again", ClientInterceptors.intercept(channel,
                new QuerierLoopGuard(a.id()).clientInterceptor(reached -> { })), Duration.ofSeconds(10))) {
            SeriesRequest request = SeriesRequest.newBuilder().setMinTime(0).setMaxTime(3000)
                    .addAllMatchers(StoreWire.toWireMatchers(List.of(LabelMatcher.equal("__name__", "up")))).build();
            assertThatThrownBy(() -> looped.series(request).next()).isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("FAILED_PRECONDITION"))
                    .hasMessageContaining("query loop: this querier (id " + a.id() + ")");
        } finally {
            channel.shutdownNow();
        }
    }
}
