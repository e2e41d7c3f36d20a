package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The querier in front of a store that speaks only mutual TLS, configured with Thanos' client TLS flags. */
@QuarkusTest
@QuarkusTestResource(value = SecuredStoresResource.class, restrictToAnnotatedClass = true)
class QuerierSecurityTest {
    @Test
    void queriesAStoreOverMutualTls() {
        QuerierTesting.awaitStoresHealthy(1);
        JsonNode result = get(querierUrl(), "/api/v1/query?query=" + encode("sum(node_temperature_celsius)") + "&time="
                + (TestData.T0 / 1000 + 600)).json();
        assertThat(result.path("status").asText()).isEqualTo("success");
        assertThat(result.path("data").path("result")).hasSize(1);
    }
}
