package io.gauntlet.service;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Logs every gRPC call that ends {@code INTERNAL} or {@code UNKNOWN} — a server-side failure the client cannot fix —
 * as one ERROR line with the method, the request's matchers and time range (read from any request with Thanos'
 * {@code matchers}, {@code min_time}/{@code max_time} or {@code start}/{@code end} fields) and the cause. Rate-limited:
 * {@value #BURST} lines at once, then one per {@value #REFILL_SECONDS} s, and the next line that gets through says how
 * many were left out, so a storm of failing calls cannot flood the log.
 */
final class FailedCallLog implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(FailedCallLog.class);
    /** The process's one log of failed calls: every service of its gRPC server shares the rate limit. */
    static final FailedCallLog SERVER = new FailedCallLog();
    static final int BURST = 10;
    static final long REFILL_SECONDS = 6;

    private final Consumer<String> sink;
    private final LongSupplier nanoTime;
    private double tokens = BURST; // guarded by this
    private long refilledAt; // guarded by this
    private long suppressed; // guarded by this

    FailedCallLog() {
        this(LOG::error, System::nanoTime);
    }

    FailedCallLog(Consumer<String> sink, LongSupplier nanoTime) {
        this.sink = sink;
        this.nanoTime = nanoTime;
        this.refilledAt = nanoTime.getAsLong();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Object[] request = new Object[1]; // the first request message, read when the call fails
        ServerCall<Q, R> watched = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
                    failed(method, request[0], status.getCode().name(), cause(status));
                }
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
            @Override
            public void onMessage(Q message) {
                if (request[0] == null) {
                    request[0] = message;
                }
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    failed(method, request[0], "UNKNOWN", e.toString()); // gRPC closes the call itself, past this interceptor
                    throw e;
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    failed(method, request[0], "UNKNOWN", e.toString());
                    throw e;
                }
            }
        };
    }

    private static String cause(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCause() != null) {
            return description.isEmpty() ? status.getCause().toString() : description + " (" + status.getCause() + ")";
        }
        return description;
    }

    private void failed(String method, Object request, String code, String cause) {
        long left;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            tokens = Math.min(BURST, tokens + (now - refilledAt) / (double) TimeUnit.SECONDS.toNanos(REFILL_SECONDS));
            refilledAt = now;
            if (tokens < 1) {
                suppressed++;
                return;
            }
            tokens--;
            left = suppressed;
            suppressed = 0;
        }
        StringBuilder line = new StringBuilder("gRPC call failed: method=").append(method).append(" code=").append(code);
        if (request instanceof Message message) {
            describe(message, line);
        }
        line.append(" cause=").append(cause);
        if (left > 0) {
            line.append(" (").append(left).append(" more failed calls were not logged, rate limit)");
        }
        sink.accept(line.toString());
    }

    /** Appends the request's matchers and time range when it has Thanos' fields for them. */
    static void describe(Message request, StringBuilder line) {
        FieldDescriptor matchers = request.getDescriptorForType().findFieldByName("matchers");
        if (matchers != null && matchers.isRepeated() && matchers.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            line.append(" matchers={");
            int count = request.getRepeatedFieldCount(matchers);
            for (int i = 0; i < count; i++) {
                Message matcher = (Message) request.getRepeatedField(matchers, i);
                line.append(i == 0 ? "" : ",").append(field(matcher, "name")).append(operator(matcher)).append('"')
                        .append(field(matcher, "value").replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            line.append('}');
        }
        for (List<String> range : List.of(List.of("min_time", "max_time"), List.of("start", "end"))) {
            FieldDescriptor from = request.getDescriptorForType().findFieldByName(range.get(0));
            FieldDescriptor to = request.getDescriptorForType().findFieldByName(range.get(1));
            if (from != null && to != null && request.getField(from) instanceof Long min && request.getField(to) instanceof Long max) {
                line.append(" range=[").append(time(min)).append(", ").append(time(max)).append(']');
            }
        }
    }

    private static String field(Message message, String name) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
        return field == null ? "" : String.valueOf(message.getField(field));
    }

    private static String operator(Message matcher) {
        FieldDescriptor type = matcher.getDescriptorForType().findFieldByName("type");
        String name = type != null && matcher.getField(type) instanceof EnumValueDescriptor value ? value.getName() : "EQ";
        return switch (name) {
            case "NEQ" -> "!=";
            case "RE" -> "=~";
            case "NRE" -> "!~";
            default -> "=";
        };
    }

    /** Milliseconds as an instant, or the number when it is beyond any instant (Thanos' open ranges use the int64 ends). */
    private static String time(long millis) {
        return millis <= -8_000_000_000_000_000L || millis >= 8_000_000_000_000_000L ? Long.toString(millis)
                : Instant.ofEpochMilli(millis).toString();
    }
}
