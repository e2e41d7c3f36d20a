package io.gauntlet.querier;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** With {@code gauntlet.http.unauthenticated-probes}, kubelet's probes pass without credentials; nothing else does. */
@QuarkusTest
@QuarkusTestResource(value = SecuredStoresResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "unauthenticatedProbes", value = "true"))
class QuerierOpenProbesTest {
    @Test
    void probesAnswerWithoutCredentialsTheRestStillAsks() throws Exception {
        String querier = "https://127.0.0.1:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", String.class);
        Path tlsDir = Path.of(ConfigProvider.getConfig().getValue("test.tls-dir", String.class));
        var client = SecuredStoresResource.httpsClient(tlsDir);
        for (String path : new String[] {"/-/healthy", "/-/ready", "/metrics", "/api/v1/labels", "/-/healthy/../../metrics"}) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(querier + path)).build(), HttpResponse.BodyHandlers.ofString());
            if (path.startsWith("/-/") && !path.contains("..")) {
                assertThat(answer.statusCode()).as(path).isNotEqualTo(401); // 200, or 503 while not ready
            } else {
                assertThat(answer.statusCode()).as(path).isEqualTo(401);
            }
        }
    }
}
