package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Walks the routes of Prometheus 2.42's web/api/v1/api.go with every method, plus paths it does not have, against the
 * real Prometheus and the querier: what Prometheus' router answers itself (404, 405, redirects) the querier answers
 * byte for byte; what a Prometheus handler answers in JSON the querier answers in Prometheus' JSON too.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class ApiRoutesTest {
    /** api.go's registrations, with a concrete label name. */
    private static final List<String> ROUTES = List.of("/query", "/query_range", "/query_exemplars", "/format_query", "/labels",
            "/label/job/values", "/series", "/targets", "/targets/metadata", "/alertmanagers", "/metadata", "/status/config",
            "/status/runtimeinfo", "/status/buildinfo", "/status/flags", "/status/tsdb", "/status/walreplay", "/read", "/write",
            "/alerts", "/rules", "/admin/tsdb/delete_series", "/admin/tsdb/clean_tombstones", "/admin/tsdb/snapshot");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");
    private static final List<String> UNKNOWN = List.of("", "/", "/nope", "/status/nope", "/notifications", "/query/", "/Query",
            "/STATUS/Flags/", "/label/", "/label/job/values/", "//query", "/./labels", "/a/../series", "/query/?query=up",
            "/%71uery?query=1", "/label/a%2Fb/values", "/labels/x", "/status");
    /**
     * Routes the querier leaves to Go's 404 (Thanos' querier does not register them either): remote read, WAL replay,
     * target metadata.
     */
    private static final Set<String> NOT_SERVED = Set.of("/read", "/status/walreplay", "/targets/metadata");

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    @Test
    void answersEveryPathAsPrometheusRouterDoes() {
        Assumptions.assumeFalse(prometheusUrl().isEmpty(), "prometheus 2.42 not installed");
        List<String[]> requests = new ArrayList<>();
        for (String path : ROUTES) {
            for (String method : METHODS) {
                requests.add(new String[] {method, path});
            }
        }
        for (String path : UNKNOWN) {
            requests.add(new String[] {"GET", path});
            requests.add(new String[] {"POST", path});
        }
        int compared = 0;
        for (String[] request : requests) {
            String method = request[0];
            String path = request[1];
            String name = method + " /api/v1" + path;
            Answer prometheus = send(prometheusUrl(), method, "/api/v1" + path);
            Answer querier = send(querierUrl(), method, "/api/v1" + path);
            String route = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            boolean handled = prometheus.header("content-type").equals("application/json");
            if (NOT_SERVED.contains(route) && (handled || method.equals("POST") && route.equals("/read"))) {
                assertThat(querier.status()).as(name).isEqualTo(404);
                assertThat(querier.body()).as(name).isEqualTo("404 page not found\n");
                continue;
            }
            if (handled) {
                // a Prometheus handler answered: the querier's own handler answers in Prometheus' JSON
                assertThat(querier.header("content-type")).as(name + ": " + querier.body()).startsWith("application/json");
                assertThat(querier.body()).as(name).startsWith("{\"status\":\"");
                if (route.startsWith("/admin/") || route.equals("/alertmanagers")) {
                    assertThat(querier.status()).as(name).isEqualTo(prometheus.status());
                    assertThat(querier.body()).as(name).isEqualTo(prometheus.body());
                }
                continue;
            }
            compared++;
            assertThat(querier.status()).as(name + ": " + querier.body()).isEqualTo(prometheus.status());
            assertThat(querier.body()).as(name).isEqualTo(prometheus.body());
            for (String header : List.of("content-type", "allow", "location", "x-content-type-options", "access-control-allow-origin")) {
                assertThat(querier.header(header)).as(name + " " + header).isEqualTo(prometheus.header(header));
            }
        }
        assertThat(compared).as("answers of Prometheus' router compared").isGreaterThan(100);
    }

    @Test
    void statusEndpointsAnswerInPrometheusShapes() throws Exception {
        Assumptions.assumeFalse(prometheusUrl().isEmpty(), "prometheus 2.42 not installed");
        for (String endpoint : List.of("/status/buildinfo", "/status/runtimeinfo", "/status/flags", "/status/config", "/alertmanagers")) {
            JsonNode prometheus = QuerierTesting.get(prometheusUrl(), "/api/v1" + endpoint).json();
            QuerierTesting.Answer answer = QuerierTesting.get(querierUrl(), "/api/v1" + endpoint);
            assertThat(answer.status()).as(endpoint).isEqualTo(200);
            JsonNode querier = answer.json();
            assertThat(querier.path("status").asText()).as(endpoint).isEqualTo("success");
            if (endpoint.equals("/status/flags")) {
                // Prometheus' flags are its own; the shape is a flat object of strings
                querier.path("data").properties().forEach(flag -> assertThat(flag.getValue().isTextual()).as(flag.getKey()).isTrue());
                assertThat(querier.path("data").path("querier.endpoints").asText()).isNotEmpty();
                continue;
            }
            assertThat(fieldsAndTypes(querier.path("data"))).as(endpoint).isEqualTo(fieldsAndTypes(prometheus.path("data")));
        }
        String yaml = QuerierTesting.get(querierUrl(), "/api/v1/status/config").json().path("data").path("yaml").asText();
        assertThat(yaml).contains("querier.endpoints: ");
    }

    private static Map<String, String> fieldsAndTypes(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.properties().forEach(field -> out.put(field.getKey(), field.getValue().getNodeType().name()));
        return out;
    }

    /** One HTTP/1.1 exchange over a plain socket, the path sent as written (java.net.URI would clean it). */
    private static Answer send(String base, String method, String path) {
        URI server = URI.create(base);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(60_000);
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + server.getHost() + ":" + server.getPort()
                    + "\r\nOrigin: http://grafana.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, headEnd).split("\r\n");
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            String body = text.substring(headEnd + 4);
            if (headers.getOrDefault("transfer-encoding", "").equals("chunked")) {
                body = "(chunked)"; // only handlers' JSON answers come chunked; they are not compared byte for byte
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + base + path, e);
        }
    }
}
