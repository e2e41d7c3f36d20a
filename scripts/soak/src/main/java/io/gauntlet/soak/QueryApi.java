package io.gauntlet.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Prometheus' HTTP API v1 as the querier and Prometheus serve it: instant and range queries, form-encoded POSTs. */
final class QueryApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Duration timeout;

    QueryApi(String base, Duration timeout) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.timeout = timeout;
    }

    /** One returned series: its labels and samples (time ms, value). */
    record Series(Map<String, String> labels, long[] times, double[] values) {
    }

    /** A successful answer: its series and the warnings (partial response) it carried. */
    record Answer(List<Series> series, List<String> warnings) {
    }

    /** Thrown for a transport failure or a non-success answer; {@link #getMessage()} says which. */
    static final class QueryFailed extends Exception {
        QueryFailed(String message) {
            super(message);
        }
    }

    Answer query(String path, Map<String, String> params) throws QueryFailed, InterruptedException {
        StringBuilder form = new StringBuilder();
        for (Map.Entry<String, String> p : params.entrySet()) {
            form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new QueryFailed("transport: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new QueryFailed("HTTP " + response.statusCode() + ", not JSON: " + abbreviate(response.body()));
        }
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new QueryFailed("HTTP " + response.statusCode() + " " + body.path("errorType").asText() + ": " + abbreviate(body.path("error").asText()));
        }
        List<String> warnings = new ArrayList<>();
        body.path("warnings").forEach(w -> warnings.add(w.asText()));
        List<Series> series = new ArrayList<>();
        for (JsonNode result : body.path("data").path("result")) {
            Map<String, String> labels = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = result.path("metric").properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                labels.put(label.getKey(), label.getValue().asText());
            }
            JsonNode samples = result.has("values") ? result.get("values") : result.has("value") ? JSON.createArrayNode().add(result.get("value")) : JSON.createArrayNode();
            long[] times = new long[samples.size()];
            double[] values = new double[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                // seconds with millisecond decimals: parsed as a decimal so no float rounding moves the millisecond
                times[i] = new java.math.BigDecimal(samples.get(i).get(0).asText()).movePointRight(3).longValueExact();
                values[i] = Double.parseDouble(samples.get(i).get(1).asText());
            }
            series.add(new Series(labels, times, values));
        }
        return new Answer(series, warnings);
    }

    static String seconds(long ms) {
        return java.math.BigDecimal.valueOf(ms).movePointLeft(3).toPlainString();
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
