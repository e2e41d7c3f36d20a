package io.gauntlet.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Calls that fail on the server's side are logged once each with method, matchers, range and cause, and not in floods. */
class FailedCallLogTest {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private Server server;
    private ManagedChannel channel;

    /** Series fails INTERNAL with the store's message; LabelValues throws (UNKNOWN), except for label "ok". */
    private static final class FailingStore extends StoreGrpc.StoreImplBase {
        @Override
        public void series(SeriesRequest request, StreamObserver<SeriesResponse> out) {
            out.onError(Status.INTERNAL.withDescription("corrupted block 01K: chunks/000001 at offset 8: chunk checksum mismatch")
                    .asRuntimeException());
        }

        @Override
        public void labelValues(LabelValuesRequest request, StreamObserver<LabelValuesResponse> out) {
            if (request.getLabel().equals("ok")) {
                out.onNext(LabelValuesResponse.getDefaultInstance());
                out.onCompleted();
                return;
            }
            throw new IllegalStateException("a bug");
        }
    }

    @BeforeEach
    void start() throws Exception {
        FailedCallLog log = new FailedCallLog(lines::add, now::get);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new FailingStore(), log)).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private void failingSeries() {
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(1_700_000_000_000L).setMaxTime(Long.MAX_VALUE)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.EQ).setValue("up"))
                .addMatchers(LabelMatcher.newBuilder().setName("job").setType(LabelMatcher.Type.RE).setValue("a\"b.*")).build();
        assertThatThrownBy(() -> StoreGrpc.newBlockingStub(channel).series(request).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
    }

    @Test
    void aFailedCallIsOneLineWithMethodMatchersRangeAndCause() {
        failingSeries();
        assertThat(lines).containsExactly("gRPC call failed: method=thanos.Store/Series code=INTERNAL matchers={__name__=\"up\",job=~\"a\\\"b.*\"}"
                + " range=[2023-11-14T22:13:20Z, 9223372036854775807] cause=corrupted block 01K: chunks/000001 at offset 8: chunk checksum mismatch");

        assertThatThrownBy(() -> StoreGrpc.newBlockingStub(channel).labelValues(LabelValuesRequest.newBuilder().setLabel("job").setStart(0)
                .setEnd(1000).build())).isInstanceOf(StatusRuntimeException.class);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("gRPC call failed: method=thanos.Store/LabelValues code=UNKNOWN matchers={} "
                + "range=[1970-01-01T00:00:00Z, 1970-01-01T00:00:01Z] cause=java.lang.IllegalStateException: a bug");

        StoreGrpc.newBlockingStub(channel).labelValues(LabelValuesRequest.newBuilder().setLabel("ok").build());
        assertThat(lines).hasSize(2); // a call that succeeds is not logged
    }

    @Test
    void aStormOfFailuresIsRateLimitedAndCountedInTheNextLine() {
        for (int i = 0; i < 50; i++) {
            failingSeries();
        }
        assertThat(lines).hasSize(FailedCallLog.BURST);
        now.addAndGet(TimeUnit.SECONDS.toNanos(FailedCallLog.REFILL_SECONDS));
        failingSeries();
        assertThat(lines).hasSize(FailedCallLog.BURST + 1);
        assertThat(lines.getLast()).endsWith("(40 more failed calls were not logged, rate limit)");
    }
}
