package io.gauntlet.service;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The go-grpc-prometheus server metrics Thanos exposes: {@code grpc_server_started_total},
 * {@code grpc_server_handled_total}, {@code grpc_server_msg_received_total}, {@code grpc_server_msg_sent_total} and
 * the {@code grpc_server_handling_seconds} histogram, labelled by grpc_type, grpc_service, grpc_method (and grpc_code).
 */
final class GrpcServerMetrics implements ServerInterceptor {
    private static final long SENT_FLUSH_STEP = 256;
    private final MeterRegistry meters;

    GrpcServerMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        String type = switch (method.getType()) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            case BIDI_STREAMING -> "bidi_stream";
            case UNKNOWN -> "unknown";
        };
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        String name = method.getBareMethodName() == null ? method.getFullMethodName() : method.getBareMethodName();
        counter("grpc.server.started", "Total number of RPCs started on the server.", type, service, name).increment();
        Counter received = counter("grpc.server.msg.received", "Total number of RPC stream messages received on the server.", type, service, name);
        Counter sent = counter("grpc.server.msg.sent", "Total number of gRPC stream messages sent by the server.", type, service, name);
        long start = System.nanoTime();
        // a stream of thousands of Series messages adds them to the shared counter in steps, not one by one
        AtomicLong unsent = new AtomicLong();
        ServerCall<Q, R> counted = new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                if (unsent.incrementAndGet() >= SENT_FLUSH_STEP) {
                    sent.increment(unsent.getAndSet(0));
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                sent.increment(unsent.getAndSet(0));
                meters.counter("grpc.server.handled", "grpc_type", type, "grpc_service", service, "grpc_method", name,
                        "grpc_code", status.getCode().name()).increment();
                Timer.builder("grpc.server.handling").description("Histogram of response latency (seconds) of gRPC calls handled by the server.")
                        .tags("grpc_type", type, "grpc_service", service, "grpc_method", name)
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(2))
                        .register(meters).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
            @Override
            public void onMessage(Q message) {
                received.increment();
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                sent.increment(unsent.getAndSet(0));
                super.onCancel();
            }
        };
    }

    private Counter counter(String name, String description, String type, String service, String method) {
        return Counter.builder(name).description(description)
                .tags("grpc_type", type, "grpc_service", service, "grpc_method", method).register(meters);
    }
}
