package io.gauntlet.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.store.MetadataSource;
import io.gauntlet.store.MetricMeta;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metric metadata from Prometheus' {@code GET /api/v1/metadata?metric=&limit=} (what Thanos' sidecar serves as
 * {@code thanos.Metadata}). Errors name the Prometheus: unreachable or 5xx → {@link StoreUnavailableException}, a
 * rejected question → {@link IllegalArgumentException}, an answer that is not Prometheus' JSON → {@link StorageException}.
 */
public final class PrometheusMetadata implements MetadataSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/api/v1/metadata";

    private final URI endpoint;
    private final String name;
    private final Duration timeout;
    private final HttpClient http;

    public PrometheusMetadata(URI prometheus, Duration timeout) {
        String text = prometheus.toString();
        this.name = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.endpoint = URI.create(name + PATH);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public Map<String, List<MetricMeta>> metricMetadata(String metric, int limit) throws StorageException {
        StringBuilder query = new StringBuilder();
        if (!metric.isEmpty()) {
            query.append("metric=").append(URLEncoder.encode(metric, StandardCharsets.UTF_8));
        }
        if (limit >= 0) { // Prometheus' own default (no limit) otherwise, as Thanos' sidecar asks
            query.append(query.isEmpty() ? "" : "&").append("limit=").append(limit);
        }
        URI uri = query.isEmpty() ? endpoint : URI.create(endpoint + "?" + query);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new StoreUnavailableException("prometheus " + name + " unreachable (" + PATH + "): "
                    + (e instanceof ConnectException ? "connection refused: " : "") + reason, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("prometheus " + name + ": interrupted while waiting for " + PATH, e);
        }
        return parse(response.statusCode(), response.body());
    }

    private Map<String, List<MetricMeta>> parse(int status, String body) throws StorageException {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(body);
        } catch (IOException e) {
            envelope = null;
        }
        if (status / 100 != 2 || envelope == null || !"success".equals(envelope.path("status").asText())) {
            String text = "prometheus " + name + ": " + PATH + " answered HTTP " + status + ": " + (envelope != null && envelope.has("error")
                    ? envelope.path("errorType").asText() + ": " + envelope.path("error").asText()
                    : body.strip().substring(0, Math.min(300, body.strip().length())));
            if (status == 400 || status == 422) {
                throw new IllegalArgumentException(text);
            }
            throw status >= 500 || status == 429 || status == 408 ? new StoreUnavailableException(text) : new StorageException(text);
        }
        JsonNode data = envelope.path("data");
        if (!data.isObject()) {
            throw new StorageException("prometheus " + name + ": " + PATH + " answered without a data object: " + data);
        }
        Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> metric : data.properties()) {
            List<MetricMeta> metas = new ArrayList<>(metric.getValue().size());
            for (JsonNode meta : metric.getValue()) {
                metas.add(new MetricMeta(meta.path("type").asText(), meta.path("help").asText(), meta.path("unit").asText()));
            }
            out.put(metric.getKey(), metas);
        }
        return out;
    }
}
