package io.gauntlet.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Runs rule queries through queriers' HTTP API ({@code POST /api/v1/query} with {@code dedup=true} and the group's
 * {@code partial_response}), as the Thanos ruler does with {@code --query}: endpoints are tried in random order and the
 * next one is asked when one is unreachable or fails with a server error; a query error (bad_data) fails at once.
 */
public final class HttpRuleQuerier implements RuleQuerier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> endpoints;
    private final Duration timeout;
    private final HttpClient http;
    private final Callable<String> authorization;

    public HttpRuleQuerier(List<URI> endpoints, Duration timeout) {
        this(endpoints, timeout, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)), () -> null);
    }

    /**
     * @param http          the HTTP client's settings (TLS to HTTPS queriers)
     * @param authorization the {@code Authorization} of every query (the ruler's basic auth user); null answers: none
     */
    public HttpRuleQuerier(List<URI> endpoints, Duration timeout, HttpClient.Builder http, Callable<String> authorization) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no query endpoints");
        }
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        this.http = http.build();
        this.authorization = authorization;
    }

    @Override
    public Answer query(String expr, long timeMillis, boolean partialResponse) throws Exception {
        List<URI> order = new ArrayList<>(endpoints);
        Collections.shuffle(order);
        List<String> failures = new ArrayList<>();
        for (URI endpoint : order) {
            String body = "query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&time=" + seconds(timeMillis)
                    + "&dedup=true&partial_response=" + partialResponse;
            URI url = endpoint.resolve((endpoint.getPath() == null || endpoint.getPath().isEmpty() ? "" : endpoint.getPath().replaceAll("/$", ""))
                    + "/api/v1/query");
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("User-Agent", "Gauntlet-Ruler")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            String credentials = authorization.call(); // a credentials file that cannot be read fails the evaluation, naming it
            if (credentials != null) {
                request.header("Authorization", credentials);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                failures.add(endpoint + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                continue;
            }
            JsonNode root;
            try {
                root = JSON.readTree(response.body());
            } catch (IOException e) {
                failures.add(endpoint + ": HTTP " + response.statusCode() + " with a body that is not JSON");
                continue;
            }
            if (!"success".equals(root.path("status").asText())) {
                String message = root.path("errorType").asText() + ": " + root.path("error").asText();
                if (response.statusCode() / 100 == 4) {
                    throw new RuleEvaluationException("query " + expr + " failed on " + endpoint + ": " + message);
                }
                failures.add(endpoint + ": " + message);
                continue;
            }
            return answer(root, timeMillis);
        }
        throw new RuleEvaluationException("no query endpoint answered: " + String.join("; ", failures));
    }

    static String seconds(long millis) {
        return Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
    }

    private static Answer answer(JsonNode root, long timeMillis) throws RuleEvaluationException {
        JsonNode data = root.path("data");
        List<String> warnings = new ArrayList<>();
        root.path("warnings").forEach(w -> warnings.add(w.asText()));
        List<VectorSample> samples = new ArrayList<>();
        switch (data.path("resultType").asText()) {
            case "vector" -> {
                for (JsonNode element : data.path("result")) {
                    Map<String, String> labels = new TreeMap<>();
                    element.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                    samples.add(new VectorSample(Labels.fromMap(labels), timeMillis, value(element.path("value").path(1).asText())));
                }
            }
            case "scalar" -> samples.add(new VectorSample(Labels.EMPTY, timeMillis, value(data.path("result").path(1).asText())));
            default -> throw new RuleEvaluationException("rule result is not a vector or scalar");
        }
        return new Answer(samples, warnings);
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
