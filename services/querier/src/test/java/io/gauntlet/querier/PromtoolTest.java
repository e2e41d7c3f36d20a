package io.gauntlet.querier;

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

/** promtool 2.42's query commands (Prometheus' Go API client) against the querier. */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true)
class PromtoolTest {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @BeforeEach
    void promtoolAndStores() {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool not installed: skipping");
        QuerierTesting.awaitStoresHealthy(5);
    }

    private static String promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString(), "query"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    @Test
    void instantQuery() throws Exception {
        String output = promtool("instant", "--time=" + (TestData.T0 / 1000 + 600), querierUrl(),
                "sum by (code) (http_requests_total)");
        assertThat(output).contains("{code=\"200\"} =>", "{code=\"500\"} =>", "@[" + (TestData.T0 / 1000 + 600) + "]");
    }

    @Test
    void rangeQuery() throws Exception {
        String output = promtool("range", "--start=" + (TestData.T0 / 1000 + 600), "--end=" + (TestData.T0 / 1000 + 900),
                "--step=1m", querierUrl(), "node_temperature_celsius{instance=\"i0\"}");
        assertThat(output).contains("node_temperature_celsius{instance=\"i0\", job=\"node\"} =>");
        assertThat(output.lines().filter(line -> line.contains(" @[")).count()).isEqualTo(6);
    }

    @Test
    void seriesAndLabels() throws Exception {
        String series = promtool("series", "--match=ha_metric", "--start=" + TestData.T_HA / 1000, "--end=" + TestData.HA_END / 1000,
                querierUrl());
        assertThat(series.strip()).isEqualTo("{__name__=\"ha_metric\", cluster=\"ha\", job=\"ha\"}");
        String values = promtool("labels", "--start=" + TestData.T0 / 1000, "--end=" + TestData.PARITY_END / 1000, querierUrl(), "job");
        assertThat(values.lines().toList()).containsExactly("api", "edge", "node");
    }
}
