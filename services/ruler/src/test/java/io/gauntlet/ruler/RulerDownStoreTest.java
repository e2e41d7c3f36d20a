package io.gauntlet.ruler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A ruler that queries StoreAPI endpoints itself, one of which is down (nothing listens on its port): a group under
 * the default "abort" strategy fails its evaluations naming the endpoint, a group under "warn" evaluates with a
 * warning. Neither records an answer that silently leaves the store out.
 */
@QuarkusTest
@TestProfile(RulerDownStoreTest.DownStore.class)
class RulerDownStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final class DownStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path directory = Files.createTempDirectory("ruler-down-store");
                Files.writeString(directory.resolve("rules.yml"), """
                        groups:
                          - name: strict
                            interval: 1s
                            rules:
                              - record: strict:up
                                expr: sum(up)
                          - name: lenient
                            interval: 1s
                            partial_response_strategy: warn
                            rules:
                              - record: lenient:up
                                expr: sum(up)
                        """);
                int deadPort;
                try (ServerSocket socket = new ServerSocket(0)) {
                    deadPort = socket.getLocalPort(); // closed again: nothing listens there
                }
                return Map.of("gauntlet.ruler.rule-files", directory.resolve("rules.yml").toString(),
                        "gauntlet.ruler.data-dir", directory.resolve("data").toString(),
                        "gauntlet.ruler.labels", "rule_replica=a",
                        "gauntlet.ruler.store-endpoints", "127.0.0.1:" + deadPort);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static JsonNode rule(String group) throws Exception {
        JsonNode groups = JSON.readTree(given().get("/api/v1/rules?type=record").then().statusCode(200).extract().asString())
                .path("data").path("groups");
        for (JsonNode candidate : groups) {
            if (candidate.path("name").asText().equals(group)) {
                return candidate.path("rules").get(0);
            }
        }
        throw new AssertionError("no group " + group + " in " + groups);
    }

    @Test
    void aDownStoreFailsAbortGroupsAndWarnsInWarnGroups() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode strict = rule("strict");
            assertThat(strict.path("health").asText()).isEqualTo("err");
            assertThat(strict.path("lastError").asText()).contains("unreachable");
            assertThat(rule("lenient").path("health").asText()).isEqualTo("ok");
        });
        assertThat(given().get("/metrics").then().extract().asString())
                .containsPattern("thanos_rule_evaluation_with_warnings_total\\{[^}]*strategy=\"warn\"[^}]*} [1-9]");
    }
}
