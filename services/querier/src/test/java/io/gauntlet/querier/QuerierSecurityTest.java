package io.gauntlet.querier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.frontend.Downstream;
import io.gauntlet.frontend.FrontendOptions;
import io.gauntlet.frontend.InvalidationLog;
import io.gauntlet.frontend.Parameters;
import io.gauntlet.frontend.QueryFrontend;
import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.prometheus.JdkHttpClients;
import io.gauntlet.rules.HttpRuleQuerier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The querier secured as an operator secures Prometheus: its HTTP port speaks TLS and asks for basic auth (Prometheus'
 * web config file), its store is reached over mutual TLS (Thanos' client TLS flags). The 401 is compared with a real
 * Prometheus 2.42 given the same web config file; the last test greps the run's log and every answer for the secrets.
 */
@QuarkusTest
@QuarkusTestResource(value = SecuredStoresResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuerierSecurityTest {
    private static final List<String> answers = new CopyOnWriteArrayList<>();

    private static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    private static Path tlsDir() {
        return Path.of(config("test.tls-dir"));
    }

    private static String querier() {
        return "https://127.0.0.1:" + config("quarkus.http.test-port");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String rightUser() {
        return basic("grafana", config("test.http-password"));
    }

    /** A GET over TLS trusting the test CA; every answer is kept for the secrets check. */
    private static HttpResponse<String> get(String base, String path, String authorization) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = SecuredStoresResource.httpsClient(tlsDir()).send(request.build(), HttpResponse.BodyHandlers.ofString());
            answers.add(response.headers().map() + "\n" + response.body());
            return response;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(1)
    void queriesItsStoreOverMutualTlsBehindTlsAndBasicAuth() {
        org.awaitility.Awaitility.await("store healthy").atMost(Duration.ofSeconds(30)).until(() ->
                get(querier(), "/api/v1/stores", rightUser()).body().contains("\"healthy\":true"));
        HttpResponse<String> answer = get(querier(), "/api/v1/query?query=" + QuerierTesting.encode("sum(node_temperature_celsius)")
                + "&time=" + (TestData.T0 / 1000 + 600), rightUser());
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode result = parse(answer.body());
        assertThat(result.path("data").path("result")).hasSize(1);
        assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2); // ALPN over TLS, as Prometheus offers
        for (String path : List.of("/metrics", "/", "/-/ready", "/-/healthy", "/api/v1/labels")) {
            assertThat(get(querier(), path, rightUser()).statusCode()).as(path).isEqualTo(200);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return QuerierTesting.JSON.readTree(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(2)
    void withoutTheRightCredentialsEveryPathAnswers401AsPrometheusDoes() throws Exception {
        String prometheus = ConfigProvider.getConfig().getOptionalValue("test.prometheus-tls-url", String.class).orElse("");
        for (String path : List.of("/api/v1/query?query=up", "/metrics", "/", "/-/ready", "/-/healthy", "/no/such/path")) {
            for (String authorization : new String[] {null, basic("grafana", "wrong"), basic("nobody", config("test.http-password")), "Bearer abc"}) {
                HttpResponse<String> ours = get(querier(), path, authorization);
                assertThat(ours.statusCode()).as(path + " " + authorization).isEqualTo(401);
                if (!prometheus.isEmpty()) {
                    HttpResponse<String> theirs = get(prometheus, path, authorization);
                    assertThat(theirs.statusCode()).as("Prometheus " + path).isEqualTo(401);
                    assertThat(ours.body()).isEqualTo(theirs.body());
                    for (String header : List.of("www-authenticate", "content-type", "x-content-type-options")) {
                        assertThat(ours.headers().allValues(header)).as(header).isEqualTo(theirs.headers().allValues(header));
                    }
                }
            }
        }
        // and Prometheus takes the querier's right credentials too: same users, same bcrypt
        if (!prometheus.isEmpty()) {
            assertThat(get(prometheus, "/-/ready", rightUser()).statusCode()).isEqualTo(200);
        }
    }

    /** Thanos' http client config of the querier's own HTTP clients: the test CA and the basic auth user's password file. */
    private static HttpClientConfig clientConfig(boolean withCa, boolean withUser) throws IOException {
        Path passwordFile = tlsDir().resolve("client-password");
        Files.writeString(passwordFile, config("test.http-password") + "\n");
        return HttpClientConfig.parse((withCa ? "tls_config:\n  ca_file: " + tlsDir().resolve("ca.crt") + "\n" : "")
                + (withUser ? "basic_auth:\n  username: grafana\n  password_file: " + passwordFile + "\n" : ""), "test client config");
    }

    private static QueryFrontend frontend(HttpClientConfig client) {
        JdkHttpClients.Configured http = JdkHttpClients.of(client, Duration.ofSeconds(5));
        Clock clock = Clock.systemUTC();
        return new QueryFrontend(new Downstream(URI.create(querier()), Duration.ofSeconds(30), http.builder(), http.authorization()), null,
                new InvalidationLog(clock, Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ZERO, 1000),
                FrontendOptions.defaults().withMaxRetries(0), clock, new SimpleMeterRegistry());
    }

    @Test
    @Order(3)
    void theQueryFrontendAndTheRulerQueryItOverTlsWithTheirOwnUser() throws Exception {
        long start = TestData.T0 / 1000;
        Parameters range = Parameters.of(null, "query=" + QuerierTesting.encode("sum(node_temperature_celsius)") + "&start=" + start
                + "&end=" + (start + 3600) + "&step=60");
        try (QueryFrontend frontend = frontend(clientConfig(true, true))) {
            // the caller's (Grafana's) credentials are replaced by the frontend's own user
            Downstream.Answer answer = frontend.queryRange(range, Map.of("Authorization", List.of(basic("grafana", "wrong"))));
            String body = new String(answer.body(), StandardCharsets.UTF_8);
            answers.add(body);
            assertThat(answer.status()).as(body).isEqualTo(200);
            assertThat(parse(body).path("data").path("result")).hasSize(1);
        }
        try (QueryFrontend withoutUser = frontend(clientConfig(true, false))) {
            assertThat(withoutUser.queryRange(range, Map.of()).status()).isEqualTo(401);
        }
        try (QueryFrontend withoutCa = frontend(clientConfig(false, true))) {
            Downstream.Answer refused = withoutCa.queryRange(range, Map.of());
            assertThat(refused.status()).isNotEqualTo(200);
            assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("querier " + querier());
        }

        JdkHttpClients.Configured http = JdkHttpClients.of(clientConfig(true, true), Duration.ofSeconds(5));
        HttpRuleQuerier ruler = new HttpRuleQuerier(List.of(URI.create(querier())), Duration.ofSeconds(30), http.builder(), http.authorization());
        assertThat(ruler.query("sum(node_temperature_celsius)", TestData.T0 + 600_000, false).samples()).hasSize(1);
        JdkHttpClients.Configured anonymous = JdkHttpClients.of(clientConfig(true, false), Duration.ofSeconds(5));
        HttpRuleQuerier refusedRuler = new HttpRuleQuerier(List.of(URI.create(querier())), Duration.ofSeconds(30), anonymous.builder(),
                anonymous.authorization());
        assertThatThrownBy(() -> refusedRuler.query("sum(node_temperature_celsius)", TestData.T0 + 600_000, false)).hasMessageContaining(querier());
    }

    @Test
    @Order(4)
    void plainHttpOnTheTlsPortGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> {
            HttpResponse<String> response = plain.send(HttpRequest.newBuilder(URI.create(querier().replace("https:", "http:") + "/api/v1/labels"))
                    .header("Authorization", rightUser()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 400) {
                throw new IOException("refused with " + response.statusCode());
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    @Order(5)
    void noSecretInTheLogOrInAnyAnswer() throws Exception {
        get(querier(), "/api/v1/status/buildinfo", rightUser());
        get(querier(), "/api/v1/query?query=" + QuerierTesting.encode("sum(") + "&time=1", rightUser()); // an error answer
        List<String> secrets = SecuredStoresResource.secrets(tlsDir(), config("test.http-password"));
        assertThat(secrets).hasSizeGreaterThan(4);
        String log = Files.readString(tlsDir().resolve("querier.log"));
        assertThat(log).contains("web config file").contains("client certificate"); // the log is the run's
        for (String secret : secrets) {
            assertThat(log).as("the log").doesNotContain(secret);
            for (String answer : answers) {
                assertThat(answer).as("an answer").doesNotContain(secret);
            }
        }
        assertThat(answers).hasSizeGreaterThan(20);
    }
}
