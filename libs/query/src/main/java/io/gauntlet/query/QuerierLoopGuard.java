package io.gauntlet.query;

import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps queriers that serve the StoreAPI from querying themselves. Every querier has a random id and tells it in
 * gRPC metadata:
 * <ul>
 * <li>each answer's headers carry {@value #REACHES_HEADER}: this querier's id and the ids of every querier its own
 * endpoints reach, so a querier polling an endpoint's Info learns whether that endpoint leads back to it — directly (it
 * is this querier) or through other queriers — and refuses it ({@link EndpointSet});</li>
 * <li>each call carries {@value #PATH_HEADER}: the queriers it passed through, so a call that comes back before the
 * Info polls noticed the loop is refused with {@code FAILED_PRECONDITION} instead of circling until its deadline.</li>
 * </ul>
 * Queriers that do not speak this (Thanos) neither send nor forward the headers: a loop through them is not seen.
 */
public final class QuerierLoopGuard {
    public static final String PATH_HEADER = "gauntlet-querier-path";
    public static final String REACHES_HEADER = "gauntlet-querier-reaches";
    private static final Metadata.Key<String> PATH = Metadata.Key.of(PATH_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REACHES = Metadata.Key.of(REACHES_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<List<String>> INCOMING_PATH = Context.key(PATH_HEADER);

    private final String id;

    /** A guard with a fresh random id. */
    public QuerierLoopGuard() {
        this(randomId());
    }

    public QuerierLoopGuard(String id) {
        if (id.isEmpty() || id.contains(",")) {
            throw new IllegalArgumentException("querier id must be non-empty and without commas: '" + id + "'");
        }
        this.id = id;
    }

    private static String randomId() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** This querier's id. */
    public String id() {
        return id;
    }

    /**
     * For the querier's gRPC services: refuses a call (other than Info) that already passed through this querier, and
     * tells every caller this querier's id and the ids {@code reachable} through its endpoints.
     */
    public ServerInterceptor serverInterceptor(Supplier<? extends Collection<String>> reachable) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                List<String> path = split(headers.get(PATH));
                boolean info = call.getMethodDescriptor().getServiceName().equals(InfoGrpc.SERVICE_NAME);
                if (!info && path.contains(id)) {
                    call.close(Status.FAILED_PRECONDITION.withDescription("query loop: this querier (id " + id
                            + ") is already on the path of this call " + String.join(" -> ", path)
                            + "; an endpoint list leads back to it"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                ServerCall<Q, R> telling = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata responseHeaders) {
                        LinkedHashSet<String> ids = new LinkedHashSet<>();
                        ids.add(id);
                        ids.addAll(reachable.get());
                        responseHeaders.put(REACHES, String.join(",", ids));
                        super.sendHeaders(responseHeaders);
                    }
                };
                return Contexts.interceptCall(Context.current().withValue(INCOMING_PATH, path), telling, headers, next);
            }
        };
    }

    /**
     * For the channel to one endpoint: every call names the queriers it passed through (this one last), and the
     * queriers the endpoint says it reaches go to {@code reaches} whenever it answers: its own id first, then those its
     * endpoints reach (empty from an endpoint that is no Gauntlet querier).
     */
    public ClientInterceptor clientInterceptor(Consumer<List<String>> reaches) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        List<String> path = new ArrayList<>(INCOMING_PATH.get() == null ? List.of() : INCOMING_PATH.get());
                        path.add(id);
                        headers.put(PATH, String.join(",", path));
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata responseHeaders) {
                                reaches.accept(split(responseHeaders.get(REACHES)));
                                super.onHeaders(responseHeaders);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    private static List<String> split(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : header.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
