package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query UI in headless Chromium: a query runs, its table and graph render; screenshots kept under target/. */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class QueryUiTest {
    private Path chromium;

    @BeforeEach
    void chromiumAndStores() {
        chromium = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium not installed (apt-get install -y chromium): skipping the UI test");
        QuerierTesting.awaitStoresHealthy(5);
    }

    private String headless(String url, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("querier-ui-chromium");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1200,900", "--virtual-time-budget=10000"));
        command.addAll(List.of(extra));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        return output;
    }

    @Test
    void tableViewShowsTheQueryResult() throws Exception {
        String url = querierUrl() + "/#expr=" + encode("sum by (instance) (node_temperature_celsius)") + "&end=" + (TestData.T0 / 1000 + 1800);
        String dom = headless(url, "--dump-dom");
        assertThat(dom).contains("Gauntlet Query", "{instance=\"i0\"}", "{instance=\"i1\"}", "{instance=\"i2\"}", "result type: vector");
        Path screenshot = Path.of("target", "query-ui-table.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        headless(url, "--screenshot=" + screenshot);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
    }

    @Test
    void graphViewDrawsDeduplicatedSeries() throws Exception {
        String url = querierUrl() + "/#view=graph&expr=ha_metric&range=1h&end=" + TestData.HA_END / 1000;
        String dom = headless(url, "--dump-dom");
        assertThat(dom).contains("result type: matrix", "series: 1", "ha_metric{cluster=\"ha\", job=\"ha\"}");
        String undeduplicated = headless(url + "&dedup=false", "--dump-dom");
        assertThat(undeduplicated).contains("series: 2", "replica=\"r1\"", "replica=\"r2\"");
        Path screenshot = Path.of("target", "query-ui-graph.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        headless(url + "&dedup=false", "--screenshot=" + screenshot);
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
    }

    @Test
    void storesPageListsEndpoints() throws Exception {
        String dom = headless(querierUrl() + "/#page=stores", "--dump-dom");
        assertThat(dom).contains("cluster=\"hanging\"", "replica=\"r2\"", "UP");
    }
}
