package io.gauntlet.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** {@code global.external_labels} of a running Prometheus, from its config API {@code /api/v1/status/config}. */
public final class PrometheusExternalLabels {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PrometheusExternalLabels() {
    }

    /** @throws ShipperException when Prometheus cannot be asked or answers with something else than its config */
    public static Map<String, String> fetch(URI prometheusUrl, Duration timeout) {
        URI uri = prometheusUrl.resolve(prometheusUrl.getPath().endsWith("/") ? "api/v1/status/config" : prometheusUrl.getPath() + "/api/v1/status/config");
        HttpResponse<byte[]> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ShipperException("cannot ask Prometheus at " + prometheusUrl + " for its external labels: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShipperException("interrupted while asking Prometheus at " + prometheusUrl + " for its external labels", e);
        }
        if (response.statusCode() != 200) {
            throw new ShipperException("Prometheus at " + prometheusUrl + " answered " + response.statusCode() + " to " + uri);
        }
        try {
            String yaml = JSON.readTree(response.body()).path("data").path("yaml").asText(null);
            if (yaml == null) {
                throw new ShipperException("Prometheus at " + prometheusUrl + ": " + uri + " has no data.yaml");
            }
            JsonNode external = YAML.readTree(yaml).path("global").path("external_labels");
            Map<String, String> labels = new TreeMap<>();
            if (external.isObject()) {
                external.properties().forEach(label -> labels.put(label.getKey(), label.getValue().asText()));
            }
            return labels;
        } catch (IOException e) {
            throw new ShipperException("Prometheus at " + prometheusUrl + " answered a config that cannot be read: " + e.getMessage(), e);
        }
    }
}
