package io.gauntlet.querier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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

    @Test
    @Order(3)
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
    @Order(4)
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
