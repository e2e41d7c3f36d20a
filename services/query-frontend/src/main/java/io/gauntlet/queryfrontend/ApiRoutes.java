package io.gauntlet.queryfrontend;

import io.gauntlet.frontend.Downstream;
import io.gauntlet.frontend.Parameters;
import io.gauntlet.frontend.QueryFrontend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Every path but {@code /-/…} and {@code /metrics}: range queries split and cached, label and series calls cached,
 * anything else (instant queries, rules, alerts, the querier's UI) passed to the querier as it came.
 */
@ApplicationScoped
public class ApiRoutes {
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "upgrade");
    private static final String LABEL_VALUES = "/api/v1/label/";

    @Inject
    QueryFrontendServices services;
    @Inject
    QueryFrontendConfig config;
    @Inject
    MeterRegistry meters;

    private Semaphore outstanding;
    private final ConcurrentMap<String, Counter> requestCounters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> requestTimers = new ConcurrentHashMap<>();

    void routes(@Observes Router router) {
        outstanding = new Semaphore(config.maxOutstandingRequests());
        router.routeWithRegex("^/(?!-/|metrics$).*").handler(BodyHandler.create(false).setBodyLimit(10 << 20)).handler(this::handle);
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = request.path();
        String handler = handlerName(path);
        long started = System.nanoTime();
        if (!outstanding.tryAcquire()) {
            respond(context, handler, started, new Downstream.Answer(429, Map.of("content-type", List.of("application/json")),
                    ("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too many outstanding requests\"}").getBytes(StandardCharsets.UTF_8)));
            return;
        }
        byte[] body = context.body() == null || context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().forEach(entry -> headers.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(entry.getValue()));
        String method = request.method().name();
        String rawQuery = request.query();
        context.vertx().<Downstream.Answer>executeBlocking(() -> {
            try {
                return answer(method, path, rawQuery, body, headers, request.getHeader("content-type"));
            } finally {
                outstanding.release();
            }
        }, false).onComplete(result -> {
            if (result.succeeded()) {
                respond(context, handler, started, result.result());
            } else {
                respond(context, handler, started, new Downstream.Answer(500, Map.of("content-type", List.of("application/json")),
                        ("{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"query frontend failed\"}").getBytes(StandardCharsets.UTF_8)));
            }
        });
    }

    private Downstream.Answer answer(String method, String path, String rawQuery, byte[] body, Map<String, List<String>> headers,
                                     String contentType) {
        QueryFrontend frontend = services.frontend();
        String pathAndQuery = rawQuery == null || rawQuery.isEmpty() ? path : path + "?" + rawQuery;
        boolean form = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
        boolean getOrFormPost = method.equals(HttpMethod.GET.name()) || method.equals(HttpMethod.POST.name()) && (form || body.length == 0);
        if (!getOrFormPost) {
            return frontend.forward(method, pathAndQuery, headers, body);
        }
        Parameters parameters = Parameters.of(form ? new String(body, StandardCharsets.UTF_8) : null, rawQuery);
        if (path.equals("/api/v1/query_range")) {
            return frontend.queryRange(parameters, headers);
        }
        if (path.equals("/api/v1/labels") || path.equals("/api/v1/series") || path.startsWith(LABEL_VALUES) && path.endsWith("/values")) {
            return frontend.metadataQuery(method, path, rawQuery, body, parameters, headers);
        }
        if (path.equals("/api/v1/query")) {
            return frontend.instantQuery(method, pathAndQuery, headers, body);
        }
        return frontend.forward(method, pathAndQuery, headers, body);
    }

    private static String handlerName(String path) {
        if (path.startsWith(LABEL_VALUES)) {
            return "label_values";
        }
        if (path.startsWith("/api/v1/")) {
            String rest = path.substring("/api/v1/".length());
            return rest.isEmpty() ? "api" : rest.split("/")[0];
        }
        return "other";
    }

    private void respond(RoutingContext context, String handler, long started, Downstream.Answer answer) {
        var response = context.response().setStatusCode(answer.status());
        answer.headers().forEach((name, values) -> {
            if (!NOT_RETURNED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                response.putHeader(name, values);
            }
        });
        response.end(Buffer.buffer(answer.body()));
        int status = answer.status();
        requestCounters.computeIfAbsent(handler + ' ' + status, k -> meters.counter("http_requests", "handler", handler,
                "code", Integer.toString(status))).increment();
        requestTimers.computeIfAbsent(handler, k -> Timer.builder("http_request_duration").tag("handler", handler)
                .publishPercentileHistogram().register(meters)).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
