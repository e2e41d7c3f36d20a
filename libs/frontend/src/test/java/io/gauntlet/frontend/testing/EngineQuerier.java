package io.gauntlet.frontend.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gauntlet.frontend.Parameters;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.query.ApiException;
import io.gauntlet.query.ApiParameters;
import io.gauntlet.query.PrometheusJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A querier's range query API for the frontend's unit tests: the real PromQL engine over in-memory series, answering
 * {@code /api/v1/query_range} with the querier's own JSON writer, on loopback. Not the querier service (that is in
 * tests/integration): no stores, no dedup; it records each request's range and can be told to fail the next ones.
 */
public final class EngineQuerier implements AutoCloseable {
    /** One range request as it arrived. */
    public record Request(String query, long start, long end, long step) {
    }

    private final InMemoryQueryable storage = new InMemoryQueryable();
    private final PromqlEngine engine = new PromqlEngine();
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToGive = new AtomicInteger();

    public EngineQuerier() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/v1/query_range", this::queryRange);
        server.createContext("/api/v1/labels", exchange -> respond(exchange, 200, PrometheusJson.success("[\"__name__\",\"job\"]", List.of())));
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public InMemoryQueryable storage() {
        return storage;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** The next {@code count} requests answer 503 (as a querier that is overloaded or restarting). */
    public void failNext(int count) {
        failuresToGive.set(count);
    }

    /** What the engine answers for a whole range: the reference the frontend's merged answer must equal. */
    public String answer(String query, long start, long end, long step) {
        try {
            QueryResult result = engine.rangeQuery(storage, query, start, end, step);
            return PrometheusJson.success(PrometheusJson.queryData(result.value()), result.warnings());
        } catch (PromqlException e) {
            return PrometheusJson.error(e.type().apiName(), e.getMessage(), List.of());
        }
    }

    private void queryRange(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Parameters parameters = Parameters.of(body, exchange.getRequestURI().getRawQuery());
        if (failuresToGive.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(exchange, 503, PrometheusJson.error("unavailable", "the test made this querier fail", List.of()));
            return;
        }
        try {
            long start = ApiParameters.parseTime(parameters.first("start")).engineMillis();
            long end = ApiParameters.parseTime(parameters.first("end")).engineMillis();
            long step = ApiParameters.nanosToMillis(ApiParameters.parseDurationNanos(parameters.first("step")));
            requests.add(new Request(parameters.first("query"), start, end, step));
            String answer = answer(parameters.first("query"), start, end, step);
            respond(exchange, answer.startsWith("{\"status\":\"success\"") ? 200 : 400, answer);
        } catch (ApiException e) {
            respond(exchange, 400, PrometheusJson.error("bad_data", e.getMessage(), List.of()));
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
