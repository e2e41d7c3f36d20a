package io.gauntlet.querier;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.ExprPrettyPrinter;
import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.query.ApiException;
import io.gauntlet.query.ApiParameters;
import io.gauntlet.query.ApiTime;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.PrometheusJson;
import io.gauntlet.query.StoreQueryable;
import io.gauntlet.query.UrlEncodedForm;
import io.gauntlet.store.CorruptedBlock;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Prometheus' HTTP API v1 with Thanos' extras (dedup, replicaLabels[], partial_response, max_source_resolution, storeMatch[]). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ApiResource {
    private static final int MAX_POINTS = 11_000;
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    @Inject
    QuerierConfig config;
    @Inject
    EndpointSet endpoints;
    @Inject
    PromqlEngine engine;
    @Inject
    QueryGate gate;
    @Inject
    MeterRegistry meters;
    @Inject
    StoreCallMetrics storeCallMetrics;

    // meters looked up once: building a meter id and finding it in the registry costs every request otherwise
    private final ConcurrentMap<String, Counter> requestCounters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> requestTimers = new ConcurrentHashMap<>();

    /**
     * Request parameters as Go's {@code r.Form}: the form body of a POST first, then the URL query, both read as Go's
     * url.ParseQuery reads them (bytes that are not UTF-8 kept, so parse errors quote them as Prometheus does).
     */
    private record Params(UrlEncodedForm body, UrlEncodedForm url) {
        String get(String name) {
            String value = body.first(name);
            return value.isEmpty() && body.all(name).isEmpty() ? url.first(name) : value;
        }

        List<String> all(String name) {
            List<String> fromBody = body.all(name);
            List<String> fromUrl = url.all(name);
            if (fromBody.isEmpty()) {
                return fromUrl;
            }
            List<String> out = new ArrayList<>(fromBody);
            out.addAll(fromUrl);
            return out;
        }

        /** What Go's {@code r.ParseForm()} returns: the body's error first, else the URL's; null when none. */
        String parseError() {
            return body.error() != null ? body.error() : url.error();
        }
    }

    private static Params params(HttpServerRequest request, byte[] body) {
        UrlEncodedForm form = UrlEncodedForm.EMPTY;
        String contentType = request.getHeader("Content-Type");
        if (body != null && contentType != null
                && contentType.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)) {
            form = UrlEncodedForm.parse(body);
        }
        return new Params(form, UrlEncodedForm.parse(request.query()));
    }

    /** The endpoints Prometheus serves for GET and form POST alike (its router registers both for each). */
    private static final String FORM_ENDPOINTS = "query|query_range|query_exemplars|series|labels|format_query";

    @GET
    @Path("{endpoint: " + FORM_ENDPOINTS + "}")
    public Response formEndpointGet(@Context HttpServerRequest request, @PathParam("endpoint") String endpoint) {
        return formEndpoint(endpoint, params(request, null));
    }

    @POST
    @Path("{endpoint: " + FORM_ENDPOINTS + "}")
    public Response formEndpointPost(@Context HttpServerRequest request, @PathParam("endpoint") String endpoint, byte[] body) {
        return formEndpoint(endpoint, params(request, body));
    }

    private Response formEndpoint(String endpoint, Params params) {
        return handle(endpoint, () -> switch (endpoint) {
            case "query" -> query(params);
            case "query_range" -> queryRange(params);
            case "series" -> series(params);
            case "labels" -> labels(params);
            case "format_query" -> formatQuery(params);
            case "query_exemplars" -> exemplarsFanOut.apiAnswer(params.get("query"), params.get("start"), params.get("end"),
                    config.replicaLabels().orElse(List.of()), parseBool("partial_response", params.get("partial_response"), config.partialResponse()));
            default -> throw new IllegalStateException("no handler for /api/v1/" + endpoint);
        });
    }

    /** Prometheus registers DELETE /series and answers it so. */
    @DELETE
    @Path("series")
    public Response dropSeries() {
        return handle("series", () -> {
            throw new ApiException(ErrorType.INTERNAL, "not implemented");
        });
    }

    /** CORS preflight: Prometheus answers every OPTIONS under /api/v1 with 204 (CorsHeaders adds the headers). */
    @OPTIONS
    @Path("{path: .*}")
    public Response options() {
        return Response.noContent().build();
    }

    @GET
    @Path("label/{name}/values")
    public Response labelValues(@Context HttpServerRequest request, @Encoded @PathParam("name") String rawName) {
        return handle("label_values", () -> labelValues(params(request, null), UrlEncodedForm.pathSegment(rawName)));
    }

    @Inject
    io.gauntlet.query.MetadataFanOut metadataFanOut;

    @GET
    @Path("metadata")
    public Response metadata(@Context HttpServerRequest request) {
        Params params = params(request, null);
        return handle("metadata", () -> metadataFanOut.apiAnswer(params.get("metric"), params.get("limit"),
                parseBool("partial_response", params.get("partial_response"), config.partialResponse())));
    }

    @Inject
    io.gauntlet.query.ExemplarsFanOut exemplarsFanOut;
    @Inject
    io.gauntlet.query.TargetsFanOut targetsFanOut;

    @GET
    @Path("targets")
    public Response targets(@Context HttpServerRequest request) {
        Params params = params(request, null);
        return handle("targets", () -> targetsFanOut.apiAnswer(params.get("state"), params.get("scrapePool"),
                config.replicaLabels().orElse(List.of()), parseBool("partial_response", params.get("partial_response"), config.partialResponse())));
    }

    @GET
    @Path("status/buildinfo")
    public Response buildInfo() {
        return handle("buildinfo", () -> PrometheusJson.success("{\"version\":\"0.1.0\",\"revision\":\"\",\"branch\":\"main\","
                + "\"buildUser\":\"gauntlet\",\"buildDate\":\"\",\"goVersion\":\"" + "java" + Runtime.version().feature() + "\"}", List.of()));
    }

    @GET
    @Path("stores")
    public Response stores() {
        return handle("stores", () -> {
            Map<String, List<EndpointSet.EndpointStatus>> byType = new TreeMap<>();
            for (EndpointSet.EndpointStatus status : endpoints.statuses()) {
                byType.computeIfAbsent(status.componentType().isEmpty() ? "unknown" : status.componentType(), k -> new ArrayList<>()).add(status);
            }
            StringBuilder out = new StringBuilder("{");
            boolean firstType = true;
            for (var entry : byType.entrySet()) {
                out.append(firstType ? "" : ",");
                firstType = false;
                PrometheusJson.writeString(out, entry.getKey());
                out.append(":[");
                boolean first = true;
                for (EndpointSet.EndpointStatus status : entry.getValue()) {
                    out.append(first ? "" : ",").append("{\"name\":");
                    first = false;
                    PrometheusJson.writeString(out, status.name());
                    out.append(",\"lastCheck\":");
                    PrometheusJson.writeString(out, String.valueOf(status.lastCheck()));
                    out.append(",\"lastError\":");
                    if (status.lastError().isEmpty()) {
                        out.append("null");
                    } else {
                        PrometheusJson.writeString(out, status.lastError());
                    }
                    out.append(",\"healthy\":").append(status.healthy());
                    out.append(",\"labelSets\":[");
                    for (int i = 0; i < status.labelSets().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        PrometheusJson.writeLabels(out, status.labelSets().get(i));
                    }
                    out.append("],\"minTime\":").append(status.minTime()).append(",\"maxTime\":").append(status.maxTime());
                    out.append(",\"apis\":[");
                    for (int i = 0; i < status.apis().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        PrometheusJson.writeString(out, status.apis().get(i));
                    }
                    out.append(']');
                    if (status.corruptedBlocksTotal() > 0) {
                        writeCorruptedBlocks(out, status);
                    }
                    out.append('}');
                }
                out.append(']');
            }
            return PrometheusJson.success(out.append('}').toString(), List.of());
        });
    }

    /** Gauntlet's addition to a store's entry: the blocks it leaves out of its answers, and how many in all. */
    private static void writeCorruptedBlocks(StringBuilder out, EndpointSet.EndpointStatus status) {
        out.append(",\"corruptedBlocksTotal\":").append(status.corruptedBlocksTotal()).append(",\"corruptedBlocks\":[");
        for (int i = 0; i < status.corruptedBlocks().size(); i++) {
            CorruptedBlock block = status.corruptedBlocks().get(i);
            out.append(i == 0 ? "{\"ulid\":" : ",{\"ulid\":");
            PrometheusJson.writeString(out, block.ulid());
            out.append(",\"file\":");
            PrometheusJson.writeString(out, block.file());
            out.append(",\"offset\":").append(block.offset()).append(",\"cause\":");
            PrometheusJson.writeString(out, block.cause());
            out.append(",\"message\":");
            PrometheusJson.writeString(out, block.message());
            out.append(",\"minTime\":").append(block.minTime()).append(",\"maxTime\":").append(block.maxTime()).append(",\"since\":");
            PrometheusJson.writeString(out, java.time.Instant.ofEpochMilli(block.since()).toString());
            out.append('}');
        }
        out.append(']');
    }

    private String query(Params params) {
        ApiTime time = ApiParameters.parseTimeParameter("time", params.get("time"), ApiTime.ofMillis(System.currentTimeMillis()));
        Duration timeout = timeout(params);
        Expr expr;
        try {
            expr = PromqlParser.parseExpr(params.get("query"));
        } catch (PromqlException e) {
            throw ApiException.invalidParameter("query", e.getMessage());
        }
        requireTimeLeft(timeout);
        StoreQueryable queryable = queryable(params, 0, true);
        long at = time.engineMillis();
        long queued = System.nanoTime();
        long[] began = new long[1];
        QueryResult result = gate.run(timeout, cancellation -> {
            began[0] = System.nanoTime();
            return engine.instantQuery(queryable, expr, at, cancellation);
        });
        return queryAnswer(params, result, queued, began[0]);
    }

    /** The query as Prometheus' prettifier prints it. */
    private static String formatQuery(Params params) {
        try {
            StringBuilder out = new StringBuilder();
            PrometheusJson.writeString(out, ExprPrettyPrinter.pretty(PromqlParser.parseExpr(params.get("query"))));
            return PrometheusJson.success(out.toString(), List.of());
        } catch (PromqlException e) {
            throw ApiException.invalidParameter("query", e.getMessage());
        }
    }

    private String queryRange(Params params) {
        ApiTime start = parseRequiredTime("start", params.get("start"));
        ApiTime end = parseRequiredTime("end", params.get("end"));
        if (end.before(start)) {
            throw ApiException.invalidParameter("end", "end timestamp must not be before start time");
        }
        long stepNanos;
        try {
            stepNanos = ApiParameters.parseDurationNanos(params.get("step"));
        } catch (ApiException e) {
            throw ApiException.invalidParameter("step", e.getMessage());
        }
        if (stepNanos <= 0) {
            throw ApiException.invalidParameter("step", "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (end.minus(start) / stepNanos > MAX_POINTS) {
            throw ApiException.badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
        Duration timeout = timeout(params);
        Expr expr;
        try {
            expr = PromqlParser.parseExpr(params.get("query")); // range queries report parse errors without the parameter
        } catch (PromqlException e) {
            throw ApiException.badData(e.getMessage());
        }
        if (expr.type() != ValueType.VECTOR && expr.type() != ValueType.SCALAR) {
            throw ApiException.badData("invalid expression type \"" + expr.type().documentedName()
                    + "\" for range query, must be Scalar or instant Vector");
        }
        long step = ApiParameters.nanosToMillis(stepNanos);
        if (step == 0) {
            // a step under a millisecond: Prometheus' engine divides by it and reports the panic as an execution error
            throw new ApiException(ErrorType.EXECUTION, "unexpected error: runtime error: integer divide by zero");
        }
        requireTimeLeft(timeout);
        StoreQueryable queryable = queryable(params, step, false);
        long from = start.engineMillis();
        long to = end.engineMillis();
        long queued = System.nanoTime();
        long[] began = new long[1];
        QueryResult result = gate.run(timeout, cancellation -> {
            began[0] = System.nanoTime();
            return engine.rangeQuery(queryable, expr, from, to, step, cancellation);
        });
        return queryAnswer(params, result, queued, began[0]);
    }

    /**
     * A query's answer; with any {@code stats} value Prometheus 2.42's stats object too, its samples per step only for
     * {@code stats=all} with the {@code promql-per-step-stats} feature (as Prometheus' flag).
     */
    private String queryAnswer(Params params, QueryResult result, long queued, long began) {
        long done = System.nanoTime();
        String stats = params.get("stats");
        if (stats.isEmpty() || result.stats() == null) {
            return PrometheusJson.queryAnswer(result.value(), result.warnings());
        }
        boolean perStep = stats.equals("all") && config.enableFeature().orElse(List.of()).contains("promql-per-step-stats");
        return PrometheusJson.success(PrometheusJson.queryData(result.value(), result.stats(),
                new PrometheusJson.ExecTimes(began - queued, done - began), perStep), result.warnings());
    }

    private String series(Params params) {
        if (params.parseError() != null) {
            throw ApiException.badData("error parsing form values: " + params.parseError());
        }
        List<String> matches = params.all("match[]");
        if (matches.isEmpty()) {
            throw ApiException.badData("no match[] parameter provided");
        }
        long start = ApiParameters.parseTimeParameter("start", params.get("start"), ApiTime.MIN).storageMillis();
        long end = ApiParameters.parseTimeParameter("end", params.get("end"), ApiTime.MAX).storageMillis();
        List<List<LabelMatcher>> sets;
        try {
            sets = matcherSets(matches);
        } catch (ApiException e) {
            throw ApiException.invalidParameter("match[]", e.getMessage());
        }
        StoreQueryable queryable = queryable(params, 0, true);
        StoreQueryable.Answer<Labels> answer = gate.run(timeout(params), cancellation -> {
            try (var querier = queryable.querier(start, end)) {
                return querier.series(sets);
            }
        });
        return PrometheusJson.success(PrometheusJson.labelsList(answer.values()), answer.warnings());
    }

    private String labels(Params params) {
        long start = ApiParameters.parseTimeParameter("start", params.get("start"), ApiTime.MIN).storageMillis();
        long end = ApiParameters.parseTimeParameter("end", params.get("end"), ApiTime.MAX).storageMillis();
        List<List<LabelMatcher>> sets = matcherSets(params.all("match[]"));
        StoreQueryable queryable = queryable(params, 0, true);
        StoreQueryable.Answer<String> answer = gate.run(timeout(params), cancellation -> {
            try (var querier = queryable.querier(start, end)) {
                return querier.labelNamesOf(sets);
            }
        });
        return PrometheusJson.success(PrometheusJson.strings(answer.values()), answer.warnings());
    }

    private String labelValues(Params params, String name) {
        if (!LABEL_NAME.matcher(name).matches()) {
            throw ApiException.badData("invalid label name: " + GoStrings.quote(name));
        }
        long start = ApiParameters.parseTimeParameter("start", params.get("start"), ApiTime.MIN).storageMillis();
        long end = ApiParameters.parseTimeParameter("end", params.get("end"), ApiTime.MAX).storageMillis();
        List<List<LabelMatcher>> sets = matcherSets(params.all("match[]"));
        StoreQueryable queryable = queryable(params, 0, true);
        StoreQueryable.Answer<String> answer = gate.run(timeout(params), cancellation -> {
            try (var querier = queryable.querier(start, end)) {
                return querier.labelValuesOf(name, sets);
            }
        });
        return PrometheusJson.success(PrometheusJson.strings(answer.values()), answer.warnings());
    }

    private static ApiTime parseRequiredTime(String parameter, String value) {
        try {
            return ApiParameters.parseTime(value);
        } catch (ApiException e) {
            throw ApiException.invalidParameter(parameter, e.getMessage());
        }
    }

    /**
     * Prometheus' parseMatchersParam: every selector parsed first (the first error wins), then each must have a
     * matcher that does not match the empty string, or it would select every series.
     */
    private static List<List<LabelMatcher>> matcherSets(List<String> selectors) {
        List<List<LabelMatcher>> sets = new ArrayList<>();
        for (String selector : selectors) {
            try {
                sets.add(PromqlParser.parseMetricSelector(selector));
            } catch (PromqlException e) {
                throw ApiException.badData(e.getMessage());
            }
        }
        for (List<LabelMatcher> set : sets) {
            if (set.stream().allMatch(matcher -> matcher.matches(""))) {
                throw ApiException.badData("match[] must contain at least one non-empty matcher");
            }
        }
        return sets;
    }

    /** The query's timeout: the {@code timeout} parameter when given and shorter than the configured one. */
    private Duration timeout(Params params) {
        String value = params.get("timeout");
        if (value.isEmpty()) {
            return config.timeout();
        }
        long nanos;
        try {
            nanos = ApiParameters.parseDurationNanos(value);
        } catch (ApiException e) {
            throw ApiException.invalidParameter("timeout", e.getMessage());
        }
        Duration requested = Duration.ofNanos(nanos);
        return requested.compareTo(config.timeout()) < 0 ? requested : config.timeout();
    }

    /** A timeout of zero or less has expired before the query could start (Go's context.WithTimeout). */
    private static void requireTimeLeft(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ApiException(ErrorType.TIMEOUT, "query timed out in query queue");
        }
    }

    private static boolean parseBool(String parameter, String value, boolean defaultValue) {
        return switch (value) {
            case "" -> defaultValue;
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ApiException.badData("cannot parse parameter " + parameter);
        };
    }

    /** The store view for one request, from Thanos' parameters. */
    private StoreQueryable queryable(Params params, long stepMillis, boolean instant) {
        boolean dedup = parseBool("dedup", params.get("dedup"), true);
        boolean partial = parseBool("partial_response", params.get("partial_response"), config.partialResponse());
        List<String> replicaLabels = params.all("replicaLabels[]");
        if (replicaLabels.isEmpty()) {
            replicaLabels = config.replicaLabels().orElse(List.of());
        }
        long maxResolution = 0;
        String resolution = params.get("max_source_resolution");
        if (resolution.equals("auto")) {
            maxResolution = instant ? 0 : stepMillis / 5;
        } else if (!resolution.isEmpty()) {
            try {
                maxResolution = ApiParameters.nanosToMillis(ApiParameters.parseDurationNanos(resolution));
            } catch (ApiException e) {
                throw ApiException.invalidParameter("max_source_resolution", e.getMessage());
            }
            if (maxResolution < 0) {
                throw ApiException.badData("negative max_source_resolution is not accepted. Try a positive integer");
            }
        }
        List<List<LabelMatcher>> storeMatchers = new ArrayList<>();
        for (String selector : params.all("storeMatch[]")) {
            try {
                storeMatchers.add(PromqlParser.parseMetricSelector(selector));
            } catch (PromqlException e) {
                throw ApiException.invalidParameter("storeMatch[]", e.getMessage());
            }
        }
        return new StoreQueryable(endpoints::healthy, endpoints::unreachable, new StoreQueryable.Options(dedup, replicaLabels, partial, maxResolution,
                storeMatchers, config.maxSeries()), storeCallMetrics);
    }

    /** Runs a handler: JSON on success, Prometheus' error envelope and status on failure, metrics either way. */
    private Response handle(String handler, Supplier<String> body) {
        long started = System.nanoTime();
        Response response;
        try {
            String answer = body.get();
            // null: a success without data, which Prometheus answers with 204 and no body
            response = answer == null ? Response.noContent().build() : Response.ok(answer, MediaType.APPLICATION_JSON).build();
        } catch (ApiException e) {
            response = error(e.type(), e.getMessage());
        } catch (PromqlException e) {
            response = error(e.type(), e.getMessage());
        } catch (RuntimeException e) {
            ApiException api = QueryGate.translate(e);
            response = error(api.type(), api.getMessage());
        }
        int status = response.getStatus();
        requestCounters.computeIfAbsent(handler + ' ' + status, k -> meters.counter("http_requests", "handler", handler,
                "code", Integer.toString(status))).increment();
        requestTimers.computeIfAbsent(handler, k -> Timer.builder("http_request_duration").tag("handler", handler)
                .publishPercentileHistogram().register(meters)).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        return response;
    }

    private static Response error(ErrorType type, String message) {
        return Response.status(ApiException.httpStatus(type))
                .entity(PrometheusJson.error(type.apiName(), message, List.of()))
                .type(MediaType.APPLICATION_JSON).build();
    }
}
