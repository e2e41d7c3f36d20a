package io.gauntlet.seed.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.seed.NodeExporterProfile;
import io.gauntlet.seed.Seeder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard runner does what Grafana does with a dashboard: a small dashboard of our own (variables of every kind
 * the Prometheus data source has, the built-in intervals, instant and range targets, a collapsed row, a hidden target,
 * a non-Prometheus panel) run against Prometheus 2.42 over a seeded node-exporter history.
 */
class DashboardRunTest {
    private static final long HOUR = 3_600_000L;
    /** 2026-11-30T00:00Z, the seeder tests' fixed end. */
    private static final long END = 1_764_460_800_000L;

    @TempDir
    Path directory;

    @Test
    void intervalsFollowGrafanasRules() {
        assertThat(GrafanaIntervals.round(22_500)).isEqualTo(20_000);
        assertThat(GrafanaIntervals.round(90_000)).isEqualTo(60_000);
        assertThat(GrafanaIntervals.round(216_000)).isEqualTo(300_000);
        assertThat(GrafanaIntervals.goDuration(75_000)).isEqualTo("1m15s");
        assertThat(GrafanaIntervals.goDuration(3_600_000)).isEqualTo("1h0m0s");
        assertThat(GrafanaIntervals.goDuration(500)).isEqualTo("500ms");
        assertThat(GrafanaIntervals.formatInterval(120_000)).isEqualTo("2m");
        assertThat(GrafanaIntervals.parse("1h30m")).isEqualTo(5_400_000);
        assertThatThrownBy(() -> GrafanaIntervals.parse("soon")).hasMessageContaining("not an interval");
        // the day of a 1920-pixel-wide panel with an empty data source scrape interval: 45 s rounds to 30 s, rate window 4 × 15 s
        GrafanaIntervals.Timing day = GrafanaIntervals.timing(0, 86_400_000, 1920, null, null, 1, null);
        assertThat(day.stepMs()).isEqualTo(30_000);
        assertThat(day.rateIntervalMs()).isEqualTo(60_000);
        // a target's own min step wins; the resolution factor multiplies the step; the rate window follows the step
        GrafanaIntervals.Timing coarse = GrafanaIntervals.timing(0, 86_400_000, 1920, null, "5m", 2, "30s");
        assertThat(coarse.stepMs()).isEqualTo(600_000);
        assertThat(coarse.rateIntervalMs()).isEqualTo(630_000);
        assertThat(coarse.startMs() % 600_000).isZero();
    }

    @Test
    void runsEveryTargetOfADashboardAsGrafanaWouldAgainstPrometheus() throws Exception {
        Path prometheus = prometheus();
        Seeder.Options options = new Seeder.Options(new NodeExporterProfile(), 3, END - 8 * HOUR, END, 30_000, 7, Map.of(), "prometheus_replica",
                List.of("a"), 2 * HOUR, 1);
        Path data = Files.createDirectories(directory.resolve("data"));
        Seeder.run(options, directory.resolve("scratch"), (replica, meta, block) -> Files.move(block, data.resolve(meta.ulid().toString())),
                (done, total, samples) -> { });
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + Files.writeString(directory.resolve("prometheus.yml"), "global: {}\n"),
                "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(log).contains("Server is ready to receive web requests."));
            GrafanaDashboard dashboard;
            try (InputStream in = getClass().getResourceAsStream("/grafana/node-overview.json")) {
                dashboard = GrafanaDashboard.parse(new ObjectMapper().readTree(in));
            }
            PrometheusHttpApi api = new PrometheusHttpApi("http://127.0.0.1:" + port);
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            DashboardRun.Summary summary = DashboardRun.run(dashboard, api, new PrometheusHttpApi("http://127.0.0.1:" + port + "/"), END - 6 * HOUR, END,
                    "30s", Map.of(), null, new PrintStream(printed, true, StandardCharsets.UTF_8));
            String report = printed.toString(StandardCharsets.UTF_8);

            // panels 2, 3, 4 and the collapsed row's 6; the text panel is not Prometheus'; the hidden target is not run
            assertThat(summary.panels()).as(report).isEqualTo(4);
            assertThat(summary.targets()).isEqualTo(7);
            assertThat(summary.hidden()).isEqualTo(1);
            assertThat(summary.queries()).isEqualTo(7);
            assertThat(summary.succeeded()).as(report).isEqualTo(7);
            assertThat(summary.nonEmpty()).as(report).isEqualTo(7);
            assertThat(summary.identical()).isEqualTo(7);
            assertThat(summary.variablesIdentical()).isEqualTo(7);
            assertThat(report)
                    // job from the series API; the saved node is gone, so the first of the sorted instances
                    .contains("variable job (query): 1 options, selected [node-exporter]")
                    .contains("variable node (query): 3 options, selected [10.0.0.10:9100]")
                    // "All" of a multi-value variable: an escaped regex alternation, sorted descending
                    .contains("instance=~\"(10\\\\.0\\\\.0\\\\.12:9100|10\\\\.0\\\\.0\\\\.11:9100|10\\\\.0\\\\.0\\\\.10:9100)\"")
                    .contains("mode=~\"(user|system)\"")
                    // query_result with the variable's regex picking the nodename out of the series text
                    .contains("node_uname_info{nodename=\"node-01\"}")
                    .contains("device=~\"nvme[0-9]+n[0-9]+|dm-[0-9]+\"")
                    // 6 h over 100 points: 5 m steps, a rate window of 5 m + the 30 s scrape interval
                    .contains("[5m30s]")
                    .contains("[21600s]) / (21600 / 30)")
                    // 6 h over a 960-pixel panel: 22.5 s, no less than the 30 s scrape interval; × 2 resolution factor; rate window 4 × 30 s
                    .contains("panel 4 \"CPU by mode on all nodes\" A range step=1m")
                    .contains("[2m0s]")
                    .contains("avg_over_time(node_load1{instance=~\"(10\\\\.0\\\\.0\\\\.12:9100")
                    .contains("[30s])")
                    // the panel's min interval of 2 m sets the step
                    .contains("panel 6 \"Disk IO\" A range step=2m")
                    .contains("[2m30s]")
                    .doesNotContain("this is not PromQL")
                    .doesNotContain("not run\n");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Path prometheus() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "prometheus"))) {
                return Path.of(dir, "prometheus");
            }
        }
        Assumptions.abort("prometheus not found on PATH: skipping the dashboard run against Prometheus 2.42 (./gauntlet test installs it)");
        return null;
    }
}
