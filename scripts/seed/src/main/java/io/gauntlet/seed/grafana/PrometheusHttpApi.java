package io.gauntlet.seed.grafana;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Prometheus HTTP API calls Grafana's Prometheus data source makes, answered as raw bytes so two servers' answers compare byte for byte. */
public final class PrometheusHttpApi {
    private final String base;
    private final HttpClient client;

    /**
     * One answer.
     *
     * @param status the HTTP status (0 when the server did not answer)
     * @param body the body as sent, or the connection error's text
     */
    public record Answer(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public PrometheusHttpApi(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String base() {
        return base;
    }

    public Answer instant(String expr, long timeMs) {
        return get("/api/v1/query", List.of(Map.entry("query", expr), Map.entry("time", seconds(timeMs))));
    }

    public Answer range(String expr, long startMs, long endMs, long stepMs) {
        return get("/api/v1/query_range", List.of(Map.entry("query", expr), Map.entry("start", seconds(startMs)), Map.entry("end", seconds(endMs)),
                Map.entry("step", seconds(stepMs))));
    }

    public Answer series(String match, long startMs, long endMs) {
        return get("/api/v1/series", List.of(Map.entry("match[]", match), Map.entry("start", Long.toString(Math.floorDiv(startMs, 1000))),
                Map.entry("end", Long.toString(Math.ceilDiv(endMs, 1000)))));
    }

    public Answer labelValues(String label, long startMs, long endMs) {
        return get("/api/v1/label/" + URLEncoder.encode(label, StandardCharsets.UTF_8) + "/values",
                List.of(Map.entry("start", Long.toString(Math.floorDiv(startMs, 1000))), Map.entry("end", Long.toString(Math.ceilDiv(endMs, 1000)))));
    }

    private Answer get(String path, List<Map.Entry<String, String>> parameters) {
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> parameter : parameters) {
            pairs.add(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path + "?" + String.join("&", pairs))).timeout(Duration.ofMinutes(2)).GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(0, ("no answer from " + base + ": " + e).getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Seconds as Prometheus' Go client writes them: an integer when whole, else up to millisecond precision. */
    static String seconds(long ms) {
        if (ms % 1000 == 0) {
            return Long.toString(ms / 1000);
        }
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0).replaceAll("0+$", "");
    }
}
