package io.gauntlet.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gauntlet.proto.prometheus.Query;
import io.gauntlet.proto.prometheus.QueryResult;
import io.gauntlet.proto.prometheus.ReadHints;
import io.gauntlet.proto.prometheus.ReadRequest;
import io.gauntlet.proto.prometheus.ReadResponse;
import io.gauntlet.store.EncodedSeriesStream;
import io.gauntlet.store.MetadataSource;
import io.gauntlet.store.MetricMeta;
import io.gauntlet.store.SeriesEncoder;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.xerial.snappy.Snappy;

/**
 * The parts of one Prometheus server's HTTP API that Gauntlet's components use: remote read (streamed XOR chunks, or
 * samples from older servers), the label, series and metadata APIs, the config and flags status APIs and its own
 * lowest stored timestamp. Every call goes through one {@link NettyHttpClient} with the {@link HttpClientConfig}'s TLS
 * and credentials.
 *
 * <p>Errors name the Prometheus: unreachable, restarting or 5xx → {@link StoreUnavailableException}; a question it
 * rejects as bad data → {@link IllegalArgumentException}; anything else (401 and 403 with a hint at the credentials)
 * → {@link StorageException}.
 */
public final class PrometheusClient implements MetadataSource, AutoCloseable {
    /** How remote read asks for its answer: streamed chunks (Prometheus ≥ 2.13), or samples only (as older servers answer). */
    public enum ReadMode { STREAMED_XOR_CHUNKS, SAMPLES }

    private static final String STREAMED_CONTENT_TYPE = "application/x-streamed-protobuf";
    private static final long MIN_API_MILLIS = -62_135_596_800_000L; // 0001-01-01, below it Prometheus' own minimum applies
    private static final long MAX_API_MILLIS = 253_402_300_799_000L; // 9999-12-31
    private static final int MAX_ERROR_BODY = 2048;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final String USER_AGENT = "Gauntlet";
    private static final Map<String, String> REMOTE_READ_HEADERS = Map.of("Content-Encoding", "snappy",
            "Content-Type", "application/x-protobuf", "Accept-Encoding", "identity", "X-Prometheus-Remote-Read-Version", "0.1.0",
            "User-Agent", USER_AGENT);
    private static final Map<String, String> API_HEADERS = Map.of("Accept", "application/json", "User-Agent", USER_AGENT);
    private static final Map<String, String> FORM_HEADERS = Map.of("Accept", "application/json", "User-Agent", USER_AGENT,
            "Content-Type", "application/x-www-form-urlencoded");
    private static final Map<String, String> METRICS_HEADERS = Map.of("Accept", "text/plain", "User-Agent", USER_AGENT);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final URI base;
    private final String name;
    private final NettyHttpClient http;
    private final int maxFrameBytes;

    /** Plain HTTP without credentials, Prometheus' default frame limit. */
    public PrometheusClient(URI url, Duration timeout) {
        this(url, HttpClientConfig.NONE, DEFAULT_CONNECT_TIMEOUT, timeout, ChunkedReadFrames.DEFAULT_MAX_FRAME_BYTES);
    }

    /** With Prometheus' default remote read frame limit. */
    public PrometheusClient(URI url, HttpClientConfig config, Duration connectTimeout, Duration timeout) {
        this(url, config, connectTimeout, timeout, ChunkedReadFrames.DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * @param timeout the longest wait for an answer's head and for each awaited piece of its body
     * @param maxFrameBytes the largest remote read frame accepted
     * @throws IllegalArgumentException for a URL that is not http(s) or TLS files that cannot be loaded
     */
    public PrometheusClient(URI url, HttpClientConfig config, Duration connectTimeout, Duration timeout, int maxFrameBytes) {
        String text = url.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.name = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.maxFrameBytes = maxFrameBytes;
        this.http = new NettyHttpClient(base, config, connectTimeout, timeout);
    }

    /** The Prometheus URL, as errors and logs name it. */
    public String name() {
        return name;
    }

    /** {@code global.external_labels} of the running configuration ({@code /api/v1/status/config}). */
    public Labels externalLabels() throws StorageException {
        JsonNode data = getJson("api/v1/status/config", Map.of());
        String yaml = data.path("yaml").asText(null);
        if (yaml == null) {
            throw new StorageException("prometheus " + name + ": /api/v1/status/config answered without a yaml field");
        }
        JsonNode config;
        try {
            config = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new StorageException("prometheus " + name + ": its configuration is not valid YAML: " + e.getMessage(), e);
        }
        JsonNode external = config == null ? null : config.path("global").path("external_labels");
        Labels.Builder labels = Labels.builder();
        if (external != null && external.isObject()) {
            external.properties().forEach(entry -> labels.set(entry.getKey(), entry.getValue().asText()));
        }
        return labels.build();
    }

    /** The command line flags Prometheus runs with ({@code /api/v1/status/flags}). */
    public Map<String, String> flags() throws StorageException {
        JsonNode data = getJson("api/v1/status/flags", Map.of());
        Map<String, String> flags = new LinkedHashMap<>();
        data.properties().forEach(entry -> flags.put(entry.getKey(), entry.getValue().asText()));
        return flags;
    }

    /**
     * The lowest timestamp (ms) stored in Prometheus' TSDB: its own {@code prometheus_tsdb_lowest_timestamp} metric
     * (read from its {@code /metrics}, so no self-scrape is needed), else the head's min time from
     * {@code /api/v1/status/tsdb}. {@link Long#MAX_VALUE} when the TSDB is empty.
     */
    public long lowestTimestamp() throws StorageException {
        Text metrics = send(HttpMethod.GET, "metrics", METRICS_HEADERS, new byte[0], "/metrics");
        if (metrics.status() == 200) {
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("prometheus_tsdb_lowest_timestamp ")) {
                    return clampedMillis(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
        }
        JsonNode head = getJson("api/v1/status/tsdb", Map.of()).path("headStats").path("minTime");
        if (head.isMissingNode()) {
            throw new StorageException("prometheus " + name + ": neither /metrics nor /api/v1/status/tsdb tell its lowest timestamp");
        }
        return head.asLong();
    }

    private long clampedMillis(String value) throws StorageException {
        try {
            double millis = Double.parseDouble(value);
            return millis >= 9.2e18 ? Long.MAX_VALUE : (long) millis;
        } catch (NumberFormatException e) {
            throw new StorageException("prometheus " + name + ": prometheus_tsdb_lowest_timestamp is not a number: " + value);
        }
    }

    /**
     * Metric metadata ({@code /api/v1/metadata}), what the sidecar serves as {@code thanos.Metadata}: {@code metric}
     * empty for every metric; {@code limit} negative for Prometheus' own default (none), as Thanos' sidecar asks.
     */
    @Override
    public Map<String, List<MetricMeta>> metricMetadata(String metric, int limit) throws StorageException {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (!metric.isEmpty()) {
            parameters.put("metric", List.of(metric));
        }
        if (limit >= 0) {
            parameters.put("limit", List.of(Integer.toString(limit)));
        }
        JsonNode data = getJson("api/v1/metadata", parameters);
        if (!data.isObject()) {
            throw new StorageException("prometheus " + name + ": /api/v1/metadata answered without a data object: " + data);
        }
        Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : data.properties()) {
            List<MetricMeta> metas = new ArrayList<>(entry.getValue().size());
            for (JsonNode meta : entry.getValue()) {
                metas.add(new MetricMeta(meta.path("type").asText(), meta.path("help").asText(), meta.path("unit").asText()));
            }
            out.put(entry.getKey(), metas);
        }
        return out;
    }

    /**
     * The {@code data} of {@code /api/v1/query_exemplars} (Prometheus' JSON: series labels and their exemplars), what the
     * sidecar serves as {@code thanos.Exemplars}. POSTed as a form, so that long queries fit.
     *
     * @throws IllegalArgumentException when Prometheus refuses the query or range as bad data
     */
    public JsonNode queryExemplars(String query, long start, long end) throws StorageException {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        parameters.put("query", List.of(query));
        parameters.putAll(timeParameters(start, end, List.of()));
        return postJson("api/v1/query_exemplars", parameters);
    }

    /** The {@code data} of {@code /api/v1/targets}: {@code state} "" (any), "active" or "dropped"; what {@code thanos.Targets} serves. */
    public JsonNode targets(String state) throws StorageException {
        return getJson("api/v1/targets", state.isEmpty() ? Map.of() : Map.of("state", List.of(state)));
    }

    /** The {@code data} of {@code /api/v1/status/tsdb}; {@code limit} above 0 is passed on (Prometheus 2.42 lists 10 and ignores it). */
    public JsonNode tsdbStatus(int limit) throws StorageException {
        return getJson("api/v1/status/tsdb", limit > 0 ? Map.of("limit", List.of(Integer.toString(limit))) : Map.of());
    }

    /** Label names of series with data in [start, end] matching the matchers ({@code /api/v1/labels}). */
    public List<String> labelNames(long start, long end, List<LabelMatcher> matchers) throws StorageException {
        return strings(postJson("api/v1/labels", timeParameters(start, end, matchers)));
    }

    /** Values of one label ({@code /api/v1/label/<name>/values}). */
    public List<String> labelValues(String label, long start, long end, List<LabelMatcher> matchers) throws StorageException {
        String path = "api/v1/label/" + URLEncoder.encode(label, StandardCharsets.UTF_8).replace("+", "%20") + "/values";
        return strings(getJson(path, timeParameters(start, end, matchers)));
    }

    /** Label sets of the series matching the matchers with data in [start, end] ({@code /api/v1/series}), in any order. */
    public List<Labels> series(long start, long end, List<LabelMatcher> matchers, Set<String> strippedLabels) throws StorageException {
        Map<String, List<String>> parameters = timeParameters(start, end, matchers);
        if (!parameters.containsKey("match[]")) {
            parameters.put("match[]", List.of(PromqlSelector.of(List.of())));
        }
        JsonNode data = postJson("api/v1/series", parameters);
        List<Labels> out = new ArrayList<>(data.size());
        for (JsonNode series : data) {
            Labels.Builder labels = Labels.builder();
            series.properties().forEach(entry -> {
                if (!strippedLabels.contains(entry.getKey())) {
                    labels.set(entry.getKey(), entry.getValue().asText());
                }
            });
            out.add(labels.build());
        }
        return out;
    }

    /**
     * Remote read of one query. A streamed answer is read as it arrives (close the result to abort it); a SAMPLES
     * answer is re-chunked into XOR chunks. Series come sorted by labels, without {@code strippedLabels}.
     */
    public ChunkSeriesSet remoteRead(long start, long end, List<LabelMatcher> matchers, Set<String> strippedLabels, ReadMode mode)
            throws StorageException {
        return remoteRead(start, end, matchers, mode, new AnswerReader<>() {
            @Override
            public ChunkSeriesSet streamed(ChunkedReadFrames frames) {
                return new ChunkedReadSeriesSet(frames, name, strippedLabels);
            }

            @Override
            public ChunkSeriesSet samples(QueryResult result) throws StorageException {
                return RechunkedSeriesSet.of(result, name, strippedLabels);
            }
        });
    }

    /**
     * Remote read of one query asking for streamed chunks, its series handed to {@code encoder} as the answer arrives
     * (frames transcoded in place; an older server's SAMPLES answer re-chunked). Close the result to abort it.
     */
    public EncodedSeriesStream remoteReadEncoded(long start, long end, List<LabelMatcher> matchers, Set<String> strippedLabels,
            SeriesEncoder encoder) throws StorageException {
        return remoteRead(start, end, matchers, ReadMode.STREAMED_XOR_CHUNKS, new AnswerReader<>() {
            @Override
            public EncodedSeriesStream streamed(ChunkedReadFrames frames) {
                return new ChunkedReadTranscoder(frames, name, strippedLabels, encoder);
            }

            @Override
            public EncodedSeriesStream samples(QueryResult result) throws StorageException {
                ChunkSeriesSet series = RechunkedSeriesSet.of(result, name, strippedLabels);
                return () -> {
                    if (!series.next()) {
                        return false;
                    }
                    encoder.series(series.labels(), series.chunks());
                    return true;
                };
            }
        });
    }

    /** What a remote read answer becomes: from its frames as they arrive, or from a SAMPLES answer's one result. */
    private interface AnswerReader<T> {
        T streamed(ChunkedReadFrames frames);

        T samples(QueryResult result) throws StorageException;
    }

    private <T> T remoteRead(long start, long end, List<LabelMatcher> matchers, ReadMode mode, AnswerReader<T> reader) throws StorageException {
        Query.Builder query = Query.newBuilder().setStartTimestampMs(start).setEndTimestampMs(end)
                .setHints(ReadHints.newBuilder().setStartMs(start).setEndMs(end));
        for (LabelMatcher matcher : matchers) {
            query.addMatchers(toPrompb(matcher));
        }
        ReadRequest.Builder request = ReadRequest.newBuilder().addQueries(query);
        if (mode == ReadMode.STREAMED_XOR_CHUNKS) {
            request.addAcceptedResponseTypes(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS);
        } else {
            request.addAcceptedResponseTypes(ReadRequest.ResponseType.SAMPLES);
        }
        byte[] body;
        try {
            body = Snappy.compress(request.build().toByteArray());
        } catch (IOException e) {
            throw new StorageException("snappy compression of a remote read request failed: " + e.getMessage(), e);
        }
        NettyHttpClient.Answer answer;
        try {
            answer = http.send(HttpMethod.POST, target("api/v1/read"), REMOTE_READ_HEADERS, body);
        } catch (IOException e) {
            throw new StoreUnavailableException("prometheus " + name + " unreachable (remote read): " + describe(e), e);
        }
        boolean handedOver = false;
        try {
            if (answer.status() != 200) {
                FrameBuffer error = answer.body();
                error.fill(MAX_ERROR_BODY);
                throw failure("remote read", answer.status(),
                        abbreviate(new String(error.array(), error.position(), Math.min(error.available(), MAX_ERROR_BODY), StandardCharsets.UTF_8)));
            }
            if (answer.header("Content-Type").startsWith(STREAMED_CONTENT_TYPE)) {
                handedOver = true;
                return reader.streamed(new ChunkedReadFrames(answer.body(), answer, name, maxFrameBytes));
            }
            // SAMPLES: one snappy block compressed ReadResponse
            ReadResponse samples = ReadResponse.parseFrom(Snappy.uncompress(answer.readAll()));
            if (samples.getResultsCount() != 1) {
                throw new StorageException("prometheus " + name + ": SAMPLES answer holds " + samples.getResultsCount() + " results for 1 query");
            }
            return reader.samples(samples.getResults(0));
        } catch (IOException e) {
            throw new StoreUnavailableException("prometheus " + name + ": reading the remote read answer failed: " + e.getMessage(), e);
        } finally {
            if (!handedOver) {
                answer.close();
            }
        }
    }

    private static io.gauntlet.proto.prometheus.LabelMatcher toPrompb(LabelMatcher matcher) {
        io.gauntlet.proto.prometheus.LabelMatcher.Type type = switch (matcher.type()) {
            case EQUAL -> io.gauntlet.proto.prometheus.LabelMatcher.Type.EQ;
            case NOT_EQUAL -> io.gauntlet.proto.prometheus.LabelMatcher.Type.NEQ;
            case REGEX -> io.gauntlet.proto.prometheus.LabelMatcher.Type.RE;
            case NOT_REGEX -> io.gauntlet.proto.prometheus.LabelMatcher.Type.NRE;
        };
        return io.gauntlet.proto.prometheus.LabelMatcher.newBuilder().setType(type).setName(matcher.name()).setValue(matcher.value()).build();
    }

    /** start/end as the API's decimal seconds (omitted at the extremes, where Prometheus' own bounds apply) and match[]. */
    private static Map<String, List<String>> timeParameters(long start, long end, List<LabelMatcher> matchers) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (start > MIN_API_MILLIS) {
            parameters.put("start", List.of(BigDecimal.valueOf(Math.min(start, MAX_API_MILLIS), 3).toPlainString()));
        }
        if (end < MAX_API_MILLIS) {
            parameters.put("end", List.of(BigDecimal.valueOf(Math.max(end, MIN_API_MILLIS), 3).toPlainString()));
        }
        if (!matchers.isEmpty()) {
            parameters.put("match[]", List.of(PromqlSelector.of(matchers)));
        }
        return parameters;
    }

    private JsonNode getJson(String path, Map<String, List<String>> parameters) throws StorageException {
        String query = form(parameters);
        return apiData("/" + path, send(HttpMethod.GET, query.isEmpty() ? path : path + "?" + query, API_HEADERS, new byte[0], "/" + path));
    }

    private JsonNode postJson(String path, Map<String, List<String>> parameters) throws StorageException {
        return apiData("/" + path, send(HttpMethod.POST, path, FORM_HEADERS, form(parameters).getBytes(StandardCharsets.UTF_8), "/" + path));
    }

    /** The request target of an API path under Prometheus' URL (which may carry a path prefix). */
    private String target(String path) {
        URI uri = base.resolve(path);
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static String form(Map<String, List<String>> parameters) {
        StringBuilder out = new StringBuilder();
        parameters.forEach((key, values) -> {
            for (String value : values) {
                if (!out.isEmpty()) {
                    out.append('&');
                }
                out.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return out.toString();
    }

    /** The {@code data} of a Prometheus API answer, or its error as the matching exception. */
    private JsonNode apiData(String path, Text response) throws StorageException {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(response.body());
        } catch (IOException e) {
            envelope = null;
        }
        if (response.status() / 100 == 2 && envelope != null && "success".equals(envelope.path("status").asText())) {
            return envelope.path("data");
        }
        String message = envelope != null && envelope.has("error")
                ? envelope.path("errorType").asText() + ": " + envelope.path("error").asText()
                : abbreviate(response.body());
        throw failure(path, response.status(), message);
    }

    /** The error for a failed answer; throws right away for bad data, which is the asker's mistake (INVALID_ARGUMENT). */
    private StorageException failure(String what, int status, String message) {
        String text = "prometheus " + name + ": " + what + " answered HTTP " + status + ": " + message;
        if (status == 400 || status == 422) {
            throw new IllegalArgumentException(text);
        }
        if (status >= 500 || status == 429 || status == 408) {
            return new StoreUnavailableException(text);
        }
        if (status == 401 || status == 403) {
            return new StorageException(text + " (check basic_auth / bearer_token in the http client config)");
        }
        return new StorageException(text);
    }

    /** A whole answer as text. */
    private record Text(int status, String body) {
    }

    private Text send(HttpMethod method, String path, Map<String, String> headers, byte[] body, String what) throws StoreUnavailableException {
        try (NettyHttpClient.Answer answer = http.send(method, target(path), headers, body)) {
            return new Text(answer.status(), new String(answer.readAll(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreUnavailableException("prometheus " + name + " unreachable (" + what + "): " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        return NettyHttpClient.message(e);
    }

    /** Closes the idle connections; answers still being read finish on their own. */
    @Override
    public void close() {
        http.close();
    }

    private static String abbreviate(String text) {
        String line = text.strip().replace('\n', ' ');
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static List<String> strings(JsonNode data) {
        TreeSet<String> out = new TreeSet<>(Labels::compareStrings); // Prometheus sorts by bytes
        for (Iterator<JsonNode> it = data.elements(); it.hasNext();) {
            out.add(it.next().asText());
        }
        return new ArrayList<>(out);
    }
}
