package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parameter rule of Prometheus 2.42's web/api/v1/api.go, one case each, asked of the real Prometheus and of the
 * querier: status and body must be the same bytes (errors included: type, message, position, Go's quoting of bytes
 * that are not UTF-8). Requests are written raw, as a client sends them, so malformed escapes reach both servers.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class ApiParameterAuditTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    /** One rule: a request, and whether only status and error type can be compared (Prometheus is racy there). */
    private record Rule(String method, String path, String body, String origin, boolean typeOnly) {
    }

    private static Arguments get(String rule, String path) {
        return Arguments.of(rule, new Rule("GET", path, null, null, false));
    }

    private static Arguments post(String rule, String path, String body) {
        return Arguments.of(rule, new Rule("POST", path, body, null, false));
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                // instant query: time
                get("time: not a number nor RFC 3339", "/api/v1/query?query=1&time=abc"),
                get("time: bytes that are not UTF-8 are quoted as Go quotes them", "/api/v1/query?query=1&time=%FF"),
                get("time: the fraction is rounded to milliseconds before use", "/api/v1/query?query=time()&time=1.9999"),
                get("time: Go's float grammar takes underscores between digits", "/api/v1/query?query=time()&time=1_000"),
                get("time: Go's float grammar takes hex floats with an exponent", "/api/v1/query?query=time()&time=0x1p4"),
                get("time: a hex number without exponent is no float", "/api/v1/query?query=time()&time=0x10"),
                get("time: an exponent", "/api/v1/query?query=time()&time=1E3"),
                get("time: a float literal out of range", "/api/v1/query?query=time()&time=1e400"),
                get("time: RFC 3339 with an offset and a comma fraction", "/api/v1/query?query=time()&time=2023-11-14T23:13:20,5%2B01:00"),
                get("time: RFC 3339 with a one-digit hour", "/api/v1/query?query=time()&time=2023-11-14T2:13:20Z"),
                get("time: RFC 3339 without a zone", "/api/v1/query?query=time()&time=2023-11-14T22:13:20"),
                get("time: RFC 3339 with a day the month does not have", "/api/v1/query?query=time()&time=2023-02-30T00:00:00Z"),
                get("time: Inf wraps as Go's conversions wrap", "/api/v1/query?query=time()&time=Inf"),
                get("time: seconds past int64 wrap to the same value", "/api/v1/query?query=time()&time=9223372036854775807"),
                get("time: a space is no number", "/api/v1/query?query=time()&time=+5"),
                // instant query: timeout and query
                get("timeout: not a duration", "/api/v1/query?query=1&timeout=abc"),
                get("timeout: durations are never negative", "/api/v1/query?query=1&timeout=-1s"),
                get("timeout: float seconds past int64", "/api/v1/query?query=1&timeout=1e30"),
                get("query: missing", "/api/v1/query"),
                get("query: empty", "/api/v1/query?query="),
                get("query: a parse error with its position", "/api/v1/query?query=foo("),
                get("query: a byte that is not UTF-8 inside a string", "/api/v1/query?query=%22a%FFb%22"),
                get("query: a byte that is not UTF-8 in a matcher's value", "/api/v1/query?query=up%7Bx%3D%22%FF%22%7D"),
                get("query: a byte that is not UTF-8 outside strings", "/api/v1/query?query=a%FFb"),
                get("order: time, then timeout, then query", "/api/v1/query?query=foo(&time=abc&timeout=abc"),
                get("order: timeout before query", "/api/v1/query?query=foo(&timeout=abc"),
                // the form itself, as Go's url.ParseQuery reads it
                get("form: a pair holding ';' is dropped", "/api/v1/query?query=1;x=2"),
                get("form: other pairs survive a ';'", "/api/v1/query?query=time()&time=5&x=1;y=2"),
                // (a malformed escape in the URL itself is refused by the HTTP server before the API: see
                // docs/promql-conformance.md; in a form body it reaches the API)
                post("form: a malformed escape drops its pair", "/api/v1/query", "query=%ZZ"),
                get("form: '+' is a space", "/api/v1/query?query=1+%2B+1&time=1"),
                post("form: a POST body wins over the URL", "/api/v1/query?time=7", "query=time()&time=5"),
                post("form: the URL fills what the body lacks", "/api/v1/query?query=time()", "time=5"),
                post("form: a POST body's ';' pair is dropped", "/api/v1/query", "query=time();x"),
                // range query
                get("query_range: start missing", "/api/v1/query_range?query=1&end=2&step=1"),
                get("query_range: start unparsable (no 'Invalid time value' wording)", "/api/v1/query_range?query=1&start=x&end=2&step=1"),
                get("query_range: end unparsable", "/api/v1/query_range?query=1&start=1&end=x&step=1"),
                get("query_range: end before start, checked before the step", "/api/v1/query_range?query=foo(&start=2&end=1&step=x"),
                get("query_range: step missing", "/api/v1/query_range?query=1&start=1&end=2"),
                get("query_range: step unparsable", "/api/v1/query_range?query=1&start=1&end=2&step=1h1h"),
                get("query_range: step zero", "/api/v1/query_range?query=1&start=1&end=2&step=0"),
                get("query_range: step negative", "/api/v1/query_range?query=1&start=1&end=2&step=-1"),
                get("query_range: step below a nanosecond is zero", "/api/v1/query_range?query=1&start=0&end=1&step=1e-10"),
                get("query_range: step below a millisecond fails in the engine", "/api/v1/query_range?query=1&start=0&end=1&step=0.0005"),
                get("query_range: step as a duration", "/api/v1/query_range?query=time()&start=0&end=1&step=1d"),
                get("query_range: 11,000 points are allowed", "/api/v1/query_range?query=1&start=0&end=10999&step=1"),
                get("query_range: 11,001 points are not", "/api/v1/query_range?query=1&start=0&end=11001&step=1"),
                get("query_range: the widest range saturates Go's durations", "/api/v1/query_range?query=1&start=-9e18&end=9e18&step=1"),
                get("query_range: timeout unparsable, after the step checks", "/api/v1/query_range?query=1&start=1&end=2&step=1&timeout=x"),
                get("query_range: a parse error carries no parameter name", "/api/v1/query_range?query=foo(&start=1&end=2&step=1"),
                get("query_range: only scalars and instant vectors", "/api/v1/query_range?query=up%5B5m%5D&start=1&end=2&step=1"),
                get("query_range: RFC 3339 and float bounds mixed", "/api/v1/query_range?query=time()&start=2023-11-14T22:13:20Z&end=1700000060&step=15"),
                // series
                get("series: no match[]", "/api/v1/series"),
                get("series: match[] does not parse", "/api/v1/series?match%5B%5D=foo("),
                get("series: match[] empty", "/api/v1/series?match%5B%5D="),
                get("series: match[] must have a matcher that does not match the empty string", "/api/v1/series?match%5B%5D=%7Bjob%3D~%22.*%22%7D"),
                get("series: every match[] must", "/api/v1/series?match%5B%5D=up&match%5B%5D=%7Bjob%3D%22%22%7D"),
                get("series: match[] with a byte that is not UTF-8", "/api/v1/series?match%5B%5D=%7Bx%3D%22%FF%22%7D"),
                get("series: start unparsable", "/api/v1/series?match%5B%5D=up&start=x"),
                get("series: end unparsable", "/api/v1/series?match%5B%5D=up&end=x"),
                get("series: the form must parse (';')", "/api/v1/series?match%5B%5D=up;x=1"),
                post("series: the form must parse (escape)", "/api/v1/series", "match[]=up&x=%ZZ"),
                post("series: a POST body must parse too", "/api/v1/series", "match[]=up;x"),
                // labels
                get("labels: match[] does not parse (no parameter name)", "/api/v1/labels?match%5B%5D=foo("),
                get("labels: match[] empty", "/api/v1/labels?match%5B%5D="),
                get("labels: match[] must have a non-empty matcher", "/api/v1/labels?match%5B%5D=%7Bjob%3D~%22.*%22%7D"),
                get("labels: start unparsable", "/api/v1/labels?start=x"),
                get("labels: end unparsable", "/api/v1/labels?end=x"),
                // label values
                get("label values: a name with '-'", "/api/v1/label/a-b/values"),
                get("label values: a name starting with a digit", "/api/v1/label/1a/values"),
                get("label values: a space", "/api/v1/label/%20/values"),
                get("label values: a byte that is not UTF-8", "/api/v1/label/a%FFb/values"),
                get("label values: start unparsable", "/api/v1/label/job/values?start=x"),
                get("label values: end unparsable", "/api/v1/label/job/values?end=x"),
                get("label values: match[] must have a non-empty matcher", "/api/v1/label/job/values?match%5B%5D=%7Bjob%3D~%22.*%22%7D"),
                get("label values: match[] does not parse", "/api/v1/label/job/values?match%5B%5D=foo("),
                get("label values: the name is checked first", "/api/v1/label/a-b/values?start=x"),
                // metadata, methods, CORS
                get("metadata: limit must be a number", "/api/v1/metadata?limit=x"),
                Arguments.of("DELETE series: registered, not implemented", new Rule("DELETE", "/api/v1/series", null, null, false)),
                Arguments.of("OPTIONS: 204 with CORS headers", new Rule("OPTIONS", "/api/v1/query", null, "http://grafana", false)),
                Arguments.of("CORS: an Origin gets Prometheus' headers", new Rule("GET", "/api/v1/query?query=1&time=1", null, "http://grafana", false)),
                Arguments.of("timeout: zero has expired before the query starts", new Rule("GET", "/api/v1/query?query=1&timeout=0s", null, null, true)));
    }

    @BeforeEach
    void prometheusAndStores() {
        Assumptions.assumeFalse(prometheusUrl().isEmpty(), "Prometheus 2.42 not installed: skipping the API audit");
        QuerierTesting.awaitStoresHealthy(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void answersAsPrometheus(String name, Rule rule) {
        Answer expected = send(prometheusUrl(), rule);
        Answer actual = send(querierUrl(), rule);
        assertThat(actual.status()).as(name + "\n" + actual.body()).isEqualTo(expected.status());
        if (rule.typeOnly()) {
            assertThat(errorType(actual.body())).as(name).isEqualTo(errorType(expected.body()));
            return;
        }
        assertThat(actual.body()).as(name).isEqualTo(expected.body());
        if (rule.origin() != null) {
            assertThat(actual.cors()).as(name).isEqualTo(expected.cors());
        }
    }

    private static String errorType(String body) {
        try {
            return QuerierTesting.JSON.readTree(body).path("errorType").asText();
        } catch (IOException e) {
            return body;
        }
    }

    private record Answer(int status, String body, Map<String, String> cors) {
    }

    /** One HTTP/1.1 exchange over a plain socket: the request line goes out byte for byte (java.net.URI would refuse %ZZ). */
    private static Answer send(String base, Rule rule) {
        URI server = URI.create(base);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(60_000);
            byte[] body = rule.body() == null ? new byte[0] : rule.body().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder().append(rule.method()).append(' ').append(rule.path())
                    .append(" HTTP/1.1\r\nHost: ").append(server.getHost()).append(':').append(server.getPort())
                    .append("\r\nConnection: close\r\n");
            if (rule.body() != null) {
                head.append("Content-Type: ").append(FORM).append("\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            if (rule.origin() != null) {
                head.append("Origin: ").append(rule.origin()).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Answer parse(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, headerEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> cors = new TreeMap<>();
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String name = lines[i].substring(0, lines[i].indexOf(':')).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(lines[i].indexOf(':') + 1).trim();
            if (name.startsWith("access-control-") || name.equals("vary")) {
                cors.put(name, value);
            }
            chunked |= name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked");
        }
        byte[] payload = java.util.Arrays.copyOfRange(response, headerEnd + 4, response.length);
        if (chunked) {
            payload = dechunk(payload);
        }
        return new Answer(status, new String(payload, StandardCharsets.UTF_8), cors);
    }

    private static byte[] dechunk(byte[] chunked) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int position = 0;
        while (true) {
            int lineEnd = position;
            while (chunked[lineEnd] != '\r') {
                lineEnd++;
            }
            int size = Integer.parseInt(new String(chunked, position, lineEnd - position, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
