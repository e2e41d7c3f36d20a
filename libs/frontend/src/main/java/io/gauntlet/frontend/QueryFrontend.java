package io.gauntlet.frontend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gauntlet.frontend.cache.ResultsCache;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.query.ApiException;
import io.gauntlet.query.ApiParameters;
import io.gauntlet.query.ApiTime;
import io.gauntlet.query.PrometheusJson;
import io.gauntlet.tsdb.LabelMatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Thanos' query frontend in front of one querier: range queries aligned to their step, split at interval boundaries,
 * the parts answered from the results cache or the querier (retried, bounded in parallel) and merged into the bytes
 * the querier writes for the whole range; label and series calls cached whole; everything else passed through.
 *
 * <p>A request the frontend cannot take apart (a parameter it does not parse, an expression type a range query refuses)
 * goes to the querier as it came, so its error is the querier's own.
 */
public final class QueryFrontend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(QueryFrontend.class.getName());
    private static final String QUERY_RANGE = "/api/v1/query_range";
    private static final int MAX_POINTS = 11_000;
    /** Parameters that are not part of a range query part's identity: the range itself and how long to wait. */
    private static final Set<String> NOT_IN_KEY = Set.of("start", "end", "query", "step", "timeout", "time");
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final Map<String, List<String>> JSON_HEADERS = Map.of("content-type", List.of("application/json"));
    /** Memory for decoded extents (beside the results cache's own bytes). */
    private static final long DECODED_EXTENTS_BYTES = 64L << 20;

    private final Downstream downstream;
    private final ResultsCache cache;
    private final InvalidationLog invalidations;
    private final FrontendOptions options;
    private final Clock clock;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Metrics metrics;
    /** Decoded cache values of recent queries: a warm panel decodes nothing. */
    private final DecodedExtents decoded = new DecodedExtents(DECODED_EXTENTS_BYTES);

    /** The meters, registered once. */
    private static final class Metrics {
        final Counter rangeQueries;
        final Counter labelQueries;
        final Counter seriesQueries;
        final Counter labelValuesQueries;
        final Counter instantQueries;
        final Counter splitQueries;
        final DistributionSummary retries;
        final Counter downstreamRequests;
        final Counter fetchedKeys;
        final Counter hits;
        final Counter extentsServed;
        final Counter extentsStaleByEvent;
        final Counter extentsExpired;
        final Counter unmergeable;

        Metrics(MeterRegistry meters) {
            rangeQueries = queries(meters, "query_range");
            labelQueries = queries(meters, "label_names");
            seriesQueries = queries(meters, "series");
            labelValuesQueries = queries(meters, "label_values");
            instantQueries = queries(meters, "query");
            splitQueries = Counter.builder("thanos_frontend_split_queries")
                    .description("Total number of underlying query requests after the split by interval is applied").register(meters);
            retries = DistributionSummary.builder("cortex_query_frontend_retries").description("Number of times a request is retried.")
                    .register(meters);
            downstreamRequests = Counter.builder("gauntlet_query_frontend_downstream_requests")
                    .description("Requests sent to the querier (parts, gaps of cached extents, retries and passed-through calls).").register(meters);
            fetchedKeys = Counter.builder("cortex_cache_fetched_keys").tag("name", "frontend.query-range")
                    .description("Total count of keys requested from cache.").register(meters);
            hits = Counter.builder("cortex_cache_hits").tag("name", "frontend.query-range")
                    .description("Total count of keys found in cache.").register(meters);
            extentsServed = Counter.builder("gauntlet_query_frontend_extents_served")
                    .description("Cached extents used in an answer.").register(meters);
            extentsStaleByEvent = Counter.builder("gauntlet_query_frontend_extents_invalidated").tag("reason", "block-event")
                    .description("Cached extents dropped because a block event touched their range (or, reason ttl, because no events "
                            + "flowed and they were older than cache-ttl-without-events).").register(meters);
            extentsExpired = Counter.builder("gauntlet_query_frontend_extents_invalidated").tag("reason", "ttl")
                    .description("Cached extents dropped because a block event touched their range (or, reason ttl, because no events "
                            + "flowed and they were older than cache-ttl-without-events).").register(meters);
            unmergeable = Counter.builder("gauntlet_query_frontend_unsplit_queries")
                    .description("Range queries sent whole because an answer of a part could not be merged.").register(meters);
        }

        private static Counter queries(MeterRegistry meters, String op) {
            return Counter.builder("thanos_query_frontend_queries").tag("op", op).description("Total queries passing through query frontend")
                    .register(meters);
        }
    }

    /** A range request the frontend takes apart. */
    private record RangeRequest(Parameters parameters, String query, Expr expr, long start, long end, long step) {
    }

    /** What answering one part gave: its pieces in time order, or the response to return instead (an error). */
    private record PartResult(List<RangeAnswer> pieces, Downstream.Answer failure) {
        static PartResult of(RangeAnswer answer) {
            return new PartResult(List.of(answer), null);
        }

        static PartResult failed(Downstream.Answer failure) {
            return new PartResult(null, failure);
        }
    }

    /**
     * @param cache         null: no results cache
     * @param invalidations what block events said (and whether they flow); required with a cache
     */
    public QueryFrontend(Downstream downstream, ResultsCache cache, InvalidationLog invalidations, FrontendOptions options, Clock clock,
                         MeterRegistry meters) {
        if (cache != null && options.splitInterval().isZero()) {
            throw new IllegalArgumentException("split queries interval should be greater than 0 when caching is enabled");
        }
        this.downstream = downstream;
        this.cache = cache;
        this.invalidations = invalidations;
        this.options = options;
        this.clock = clock;
        this.metrics = new Metrics(meters);
    }

    public Downstream downstream() {
        return downstream;
    }

    // ------------------------------------------------------------------ range queries

    /** {@code /api/v1/query_range} with these parameters (form values first, then the URL's). */
    public Downstream.Answer queryRange(Parameters parameters, Map<String, List<String>> headers) {
        metrics.rangeQueries.increment();
        long started = System.nanoTime();
        RangeRequest request = parse(parameters);
        Downstream.Answer answer;
        if (request == null) {
            answer = fetch(QUERY_RANGE, parameters, headers);
        } else if (!options.maxQueryLength().isZero() && request.end - request.start > options.maxQueryLength().toMillis()) {
            answer = error(400, "bad_data", "the query time range exceeds the limit (query length: "
                    + GoDuration.format(Duration.ofMillis(request.end - request.start)) + ", limit: " + GoDuration.format(options.maxQueryLength()) + ")");
        } else {
            answer = answer(request, headers);
        }
        logIfSlow(parameters, started);
        return answer;
    }

    private void logIfSlow(Parameters parameters, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        if (!options.logQueriesLongerThan().isZero() && took.compareTo(options.logQueriesLongerThan()) > 0) {
            StringBuilder line = new StringBuilder("slow query detected time_taken=").append(GoDuration.format(took));
            for (Parameters.Parameter parameter : parameters.entries()) {
                line.append(" param_").append(parameter.name()).append('=');
                StringBuilder quoted = new StringBuilder();
                PrometheusJson.writeString(quoted, parameter.value());
                line.append(quoted);
            }
            LOG.log(System.Logger.Level.INFO, line.toString());
        }
    }

    /** The request as the frontend will run it, or null when the querier should judge it as it is. */
    private RangeRequest parse(Parameters parameters) {
        try {
            ApiTime startTime = ApiParameters.parseTime(parameters.first("start"));
            ApiTime endTime = ApiParameters.parseTime(parameters.first("end"));
            if (!wholeMillisInEngineRange(startTime) || !wholeMillisInEngineRange(endTime)) {
                return null;
            }
            long start = startTime.engineMillis();
            long end = endTime.engineMillis();
            long stepNanos = ApiParameters.parseDurationNanos(parameters.first("step"));
            long step = ApiParameters.nanosToMillis(stepNanos);
            if (step <= 0 || stepNanos % 1_000_000 != 0 || end < start || (end - start) / step > MAX_POINTS) {
                return null;
            }
            Expr expr = PromqlParser.parseExpr(parameters.first("query"));
            if (expr.type() != ValueType.VECTOR && expr.type() != ValueType.SCALAR) {
                return null;
            }
            String query = parameters.first("query");
            Parameters sent = parameters;
            if (options.alignRangeWithStep()) {
                start = Math.floorDiv(start, step) * step;
                end = Math.floorDiv(end, step) * step;
                sent = sent.with("start", seconds(start)).with("end", seconds(end));
            }
            if (AtModifierResolver.usesStartOrEnd(expr)) {
                expr = AtModifierResolver.resolve(expr, start, end);
                query = expr.toString();
                sent = sent.with("query", query);
            }
            return new RangeRequest(sent, query, expr, start, end, step);
        } catch (ApiException | PromqlException | ArithmeticException e) {
            return null;
        }
    }

    /** A time the frontend can re-send as milliseconds without changing what the engine evaluates (no sub-ms part, no wrap). */
    private static boolean wholeMillisInEngineRange(ApiTime time) {
        return time.nanos() % 1_000_000L == 0 && Math.abs(time.seconds()) < 9_000_000_000L;
    }

    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).toPlainString();
    }

    private Downstream.Answer answer(RangeRequest request, Map<String, List<String>> headers) {
        List<TimeRange> parts = options.splitInterval().isZero()
                ? List.of(new TimeRange(request.start, request.end))
                : TimeRange.split(request.start, request.end, request.step, options.splitInterval().toMillis());
        metrics.splitQueries.increment(parts.size());
        QueryFootprint footprint = QueryFootprint.of(request.expr, lookbackDelta(request.parameters), request.start, request.end,
                ignoredLabels(request.parameters));
        // the cached extents of every part in one multi-get: one round trip to memcached instead of one a part
        long maxCacheTime = clock.millis() - options.maxCacheFreshness().toMillis();
        List<String> keys = new ArrayList<>(parts.size());
        List<String> hashedKeys = new ArrayList<>(parts.size());
        for (TimeRange part : parts) {
            boolean cacheable = cache != null && part.start() <= maxCacheTime && footprint.latestFixedTime() <= maxCacheTime;
            String key = cacheable ? cacheKey(request, part) : null;
            keys.add(key);
            if (cacheable) {
                hashedKeys.add("gfqr:" + sha256(key));
            }
        }
        Map<String, byte[]> cachedValues = hashedKeys.isEmpty() ? Map.of() : cache.fetch(hashedKeys);
        metrics.fetchedKeys.increment(hashedKeys.size());
        metrics.hits.increment(cachedValues.size());
        Semaphore inFlight = new Semaphore(options.maxQueryParallelism());
        List<Future<PartResult>> futures = new ArrayList<>(parts.size());
        int hashedIndex = 0;
        for (int i = 0; i < parts.size(); i++) {
            TimeRange part = parts.get(i);
            String key = keys.get(i);
            String hashed = key == null ? null : hashedKeys.get(hashedIndex++);
            byte[] cachedValue = hashed == null ? null : cachedValues.get(hashed);
            futures.add(workers.submit(() -> {
                inFlight.acquire();
                try {
                    return key == null ? fetchPart(request, part, headers)
                            : answerPart(request, part, footprint, headers, maxCacheTime, key, hashed, cachedValue);
                } finally {
                    inFlight.release();
                }
            }));
        }
        List<RangeAnswer> pieces = new ArrayList<>(parts.size());
        Downstream.Answer failure = null;
        for (Future<PartResult> future : futures) {
            PartResult result;
            try {
                result = future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                return error(503, "canceled", "query canceled");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RangeAnswer.UnmergeableException) {
                    // another querier's shape (histograms, a new field): let it answer the whole range itself
                    metrics.unmergeable.increment();
                    LOG.log(System.Logger.Level.DEBUG, "range query sent whole: {0}", cause.getMessage());
                    return fetch(QUERY_RANGE, request.parameters, headers);
                }
                LOG.log(System.Logger.Level.WARNING, "range query part failed", cause);
                return error(500, "internal", "query frontend: " + cause);
            }
            if (result.failure != null && failure == null) {
                failure = result.failure;
            }
            if (result.pieces != null) {
                pieces.addAll(result.pieces);
            }
        }
        if (failure != null) {
            return failure;
        }
        return new Downstream.Answer(200, JSON_HEADERS, RangeAnswer.toJson(pieces));
    }

    private long lookbackDelta(Parameters parameters) {
        String requested = parameters.first("lookback_delta");
        if (!requested.isEmpty()) {
            try {
                return Math.max(options.lookbackDelta().toMillis(), ApiParameters.nanosToMillis(ApiParameters.parseDurationNanos(requested)));
            } catch (ApiException e) {
                return options.lookbackDelta().toMillis();
            }
        }
        return options.lookbackDelta().toMillis();
    }

    private Set<String> ignoredLabels(Parameters parameters) {
        Set<String> ignored = new HashSet<>(options.replicaLabels());
        ignored.addAll(parameters.all("replicaLabels[]"));
        return ignored;
    }

    /** One cacheable part: its cached extents still fresh ({@code value}, null on a miss), the gaps asked for and stored. */
    private PartResult answerPart(RangeRequest request, TimeRange part, QueryFootprint footprint, Map<String, List<String>> headers,
                                  long maxCacheTime, String key, String hashed, byte[] value) throws RangeAnswer.UnmergeableException {
        long partEnd = TimeRange.lastGridTimeNotAfter(request.start, request.step, part.end()); // the last time evaluated
        List<Extent> kept = new ArrayList<>();
        int cachedExtents = 0;
        if (value != null) {
            List<Extent> cached = decoded.decode(hashed, key, value);
            cachedExtents = cached.size();
            for (Extent extent : cached) {
                if (invalidations.fresh(footprint, extent.start(), extent.end(), extent.computedAt())) {
                    kept.add(extent);
                } else if (invalidations.changedSince(footprint, extent.start(), extent.end(), extent.computedAt())) {
                    metrics.extentsStaleByEvent.increment();
                } else {
                    metrics.extentsExpired.increment();
                }
            }
        }
        List<RangeAnswer> pieces = new ArrayList<>();
        List<Extent> computed = new ArrayList<>();
        long cursor = part.start();
        for (Extent extent : kept) {
            if (extent.end() < cursor || extent.start() > partEnd) {
                continue;
            }
            if (cursor < extent.start()) {
                PartResult gap = fetchGap(request, footprint, cursor, extent.start() - request.step, maxCacheTime, headers, computed);
                if (gap.failure != null) {
                    return gap;
                }
                pieces.addAll(gap.pieces);
            }
            pieces.add(extent.answer().slice(Math.max(cursor, extent.start()), Math.min(partEnd, extent.end())));
            metrics.extentsServed.increment();
            cursor = extent.end() + request.step;
        }
        if (cursor <= partEnd) {
            PartResult gap = fetchGap(request, footprint, cursor, partEnd, maxCacheTime, headers, computed);
            if (gap.failure != null) {
                return gap;
            }
            pieces.addAll(gap.pieces);
        }
        if (!computed.isEmpty() || kept.size() != cachedExtents) {
            List<Extent> all = new ArrayList<>(kept);
            all.addAll(computed);
            List<Extent> coalesced = Extent.coalesce(all, request.step);
            byte[] encoded = Extent.encode(key, coalesced);
            if (encoded.length <= cache.maxItemSize()) {
                cache.store(hashed, encoded);
                decoded.remember(hashed, encoded, coalesced);
            }
        }
        return new PartResult(pieces, null);
    }

    /** Asks the querier for {@code [from, to]}; a complete answer becomes a new extent (up to the freshness limit). */
    private PartResult fetchGap(RangeRequest request, QueryFootprint footprint, long from, long to, long maxCacheTime,
                                Map<String, List<String>> headers, List<Extent> computed) throws RangeAnswer.UnmergeableException {
        long computedAt = clock.millis();
        PartResult result = fetchPart(request, new TimeRange(from, to), headers);
        RangeAnswer answer = result.failure == null ? result.pieces.getFirst() : null;
        if (answer != null && !answer.hasWarnings()) {
            long cacheableEnd = Math.min(to, TimeRange.lastGridTimeNotAfter(from, request.step, maxCacheTime));
            // computed within the grace after a block event over it: the stores may not all have had the block
            if (cacheableEnd >= from && !invalidations.changedSince(footprint, from, cacheableEnd, computedAt)) {
                computed.add(new Extent(from, cacheableEnd, computedAt, answer.slice(from, cacheableEnd)));
            }
        }
        return result;
    }

    private PartResult fetchPart(RangeRequest request, TimeRange range, Map<String, List<String>> headers)
            throws RangeAnswer.UnmergeableException {
        Parameters parameters = request.parameters.with("start", seconds(range.start())).with("end", seconds(range.end()));
        Downstream.Answer answer = fetch(QUERY_RANGE, parameters, headers);
        if (answer.status() != 200) {
            return PartResult.failed(answer);
        }
        return PartResult.of(RangeAnswer.parse(answer.body()));
    }

    private String cacheKey(RangeRequest request, TimeRange part) {
        long interval = options.splitInterval().toMillis();
        return "query_range|" + request.query + "|" + request.step + "|" + Math.floorMod(request.start, request.step) + "|"
                + request.parameters.canonical(NOT_IN_KEY) + "|" + interval + "|" + Math.floorDiv(part.start(), interval);
    }

    // ------------------------------------------------------------------ labels and series

    /**
     * {@code /api/v1/labels}, {@code /api/v1/series}, {@code /api/v1/label/<name>/values}: answered from the cache when
     * the same call over the same explicit range was answered before and no block event touched that range since.
     */
    public Downstream.Answer metadataQuery(String method, String path, String rawQuery, byte[] body, Parameters parameters,
                                           Map<String, List<String>> headers) {
        Counter counter = path.endsWith("/series") ? metrics.seriesQueries : path.endsWith("/labels") ? metrics.labelQueries : metrics.labelValuesQueries;
        counter.increment();
        String pathAndQuery = rawQuery == null || rawQuery.isEmpty() ? path : path + "?" + rawQuery;
        long start;
        long end;
        QueryFootprint footprint;
        try {
            if (cache == null || !parameters.has("start") || !parameters.has("end")) {
                return forward(method, pathAndQuery, headers, body);
            }
            start = ApiParameters.parseTime(parameters.first("start")).storageMillis();
            end = ApiParameters.parseTime(parameters.first("end")).storageMillis();
            List<List<LabelMatcher>> selectors = new ArrayList<>();
            for (String match : parameters.all("match[]")) {
                selectors.add(PromqlParser.parseMetricSelector(match));
            }
            footprint = selectors.isEmpty() ? QueryFootprint.everything() : QueryFootprint.ofSelectors(selectors, ignoredLabels(parameters));
        } catch (ApiException | PromqlException e) {
            return forward(method, pathAndQuery, headers, body);
        }
        if (end > clock.millis() - options.maxCacheFreshness().toMillis() || end < start) {
            return forward(method, pathAndQuery, headers, body);
        }
        String key = path + "|" + parameters.canonical(Set.of("timeout"));
        String hashed = "gfmd:" + sha256(key);
        metrics.fetchedKeys.increment();
        byte[] value = cache.fetch(List.of(hashed)).get(hashed);
        if (value != null) {
            metrics.hits.increment();
            CachedBody cached = CachedBody.decode(key, value);
            if (cached != null && invalidations.fresh(footprint, start, end, cached.computedAt)) {
                metrics.extentsServed.increment();
                return new Downstream.Answer(200, JSON_HEADERS, cached.body);
            }
        }
        long computedAt = clock.millis();
        Downstream.Answer answer = forward(method, pathAndQuery, headers, body);
        if (answer.status() == 200 && !hasWarnings(answer.body())) {
            byte[] encoded = new CachedBody(computedAt, answer.body()).encode(key);
            if (encoded.length <= cache.maxItemSize()) {
                cache.store(hashed, encoded);
            }
        }
        return answer;
    }

    /** A whole cached answer of a label or series call. */
    private record CachedBody(long computedAt, byte[] body) {
        byte[] encode(String key) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + key.length() + 16);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeUTF(key);
                out.writeLong(computedAt);
                out.write(body);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static CachedBody decode(String key, byte[] value) {
            try {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value));
                if (!in.readUTF().equals(key)) {
                    return null;
                }
                long computedAt = in.readLong();
                return new CachedBody(computedAt, in.readAllBytes());
            } catch (IOException e) {
                return null;
            }
        }
    }

    private static boolean hasWarnings(byte[] json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return true;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("warnings") && value == JsonToken.START_ARRAY && parser.nextToken() != JsonToken.END_ARRAY) {
                    return true;
                }
                parser.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    // ------------------------------------------------------------------ pass-through

    /** {@code /api/v1/query}: passed through, counted. */
    public Downstream.Answer instantQuery(String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body) {
        metrics.instantQueries.increment();
        return forward(method, pathAndQuery, headers, body);
    }

    /** Anything else: to the querier as it came (retried like a part when the querier fails or is away). */
    public Downstream.Answer forward(String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body) {
        return withRetries(() -> downstream.forward(method, pathAndQuery, headers, body));
    }

    private Downstream.Answer fetch(String path, Parameters parameters, Map<String, List<String>> headers) {
        return withRetries(() -> downstream.postForm(path, parameters, headers));
    }

    private interface DownstreamCall {
        Downstream.Answer send() throws Downstream.UnreachableException;
    }

    /** Cortex's retry rule: again after a 5xx or no answer, up to max-retries-per-request times. */
    private Downstream.Answer withRetries(DownstreamCall call) {
        Downstream.Answer last = null;
        Downstream.UnreachableException unreachable = null;
        int attempt = 0;
        for (; attempt <= options.maxRetries(); attempt++) {
            metrics.downstreamRequests.increment();
            try {
                last = call.send();
                unreachable = null;
                if (last.status() / 100 != 5) {
                    break;
                }
            } catch (Downstream.UnreachableException e) {
                unreachable = e;
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        }
        metrics.retries.record(Math.min(attempt, options.maxRetries()));
        if (unreachable != null) {
            return error(503, "unavailable", unreachable.getMessage());
        }
        return last;
    }

    static Downstream.Answer error(int status, String type, String message) {
        return new Downstream.Answer(status, JSON_HEADERS, PrometheusJson.error(type, message, List.of()).getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        if (cache != null) {
            cache.close();
        }
    }
}
