package io.gauntlet.ruler;

import io.gauntlet.rules.notifier.AlertmanagerProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * What the ruler test runs against: a real Prometheus 2.42 scraping itself, whose HTTP query API is the same one the
 * querier serves (the ruler's query endpoint), and a real Alertmanager 0.25. When either is missing, {@code test.ruler-skip}
 * says why.
 */
public class RulerStackResource implements QuarkusTestResourceLifecycleManager {
    static final String RULES = """
            groups:
              - name: recorded
                interval: 1s
                rules:
                  - record: job:up:count
                    expr: count by (job) (up)
                    labels:
                      source: ruler
              - name: alerts
                interval: 1s
                rules:
                  - alert: Watchdog
                    expr: vector(1)
                    labels:
                      severity: none
                    annotations:
                      summary: 'Watchdog of {{ $externalLabels.cluster }} ({{ $value }})'
                  - alert: SlowToFire
                    expr: up == 1
                    for: 1h
                    labels:
                      severity: warning
            """;
    static Path rulesFile;
    static AlertmanagerProcess alertmanager;
    static Process prometheus;
    static String prometheusUrl;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Path directory;

    @Override
    public Map<String, String> start() {
        if (!Files.isExecutable(Path.of("/usr/bin/prometheus")) || !AlertmanagerProcess.installed()) {
            return Map.of("test.ruler-skip", "Prometheus 2.42 or Alertmanager 0.25 is not installed (./gauntlet test installs both)",
                    "gauntlet.ruler.rule-files", "/nonexistent-*.yml", "gauntlet.ruler.labels", "rule_replica=a",
                    "gauntlet.ruler.query-endpoints", "http://127.0.0.1:1");
        }
        try {
            directory = Files.createTempDirectory("ruler-test");
            alertmanager = AlertmanagerProcess.start(directory.resolve("alertmanager"));
            int port = AlertmanagerProcess.freePort();
            prometheusUrl = "http://127.0.0.1:" + port;
            Files.writeString(directory.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n"
                    + "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:" + port + "']\n");
            prometheus = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + directory.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + directory.resolve("prometheus"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
            Awaitility.await("Prometheus has scraped itself").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try {
                    return HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query=up")).build(),
                            HttpResponse.BodyHandlers.ofString()).body().contains("\"job\":\"prometheus\"");
                } catch (IOException e) {
                    return false;
                }
            });
            rulesFile = directory.resolve("rules/ruler.yml");
            Files.createDirectories(rulesFile.getParent());
            Files.writeString(rulesFile, RULES);
            Map<String, String> config = new HashMap<>();
            config.put("gauntlet.ruler.rule-files", directory.resolve("rules") + "/*.yml");
            config.put("gauntlet.ruler.rule-files-check-interval", "1h");
            config.put("gauntlet.ruler.data-dir", directory.resolve("ruler-data").toString());
            config.put("gauntlet.ruler.labels", "cluster=eu,rule_replica=a");
            config.put("gauntlet.ruler.query-endpoints", prometheusUrl);
            config.put("gauntlet.ruler.alertmanagers-url", alertmanager.url().toString());
            config.put("gauntlet.ruler.alert-label-drop", "rule_replica");
            config.put("gauntlet.ruler.alert-query-url", "http://querier.example:10902");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
                prometheus.destroyForcibly();
            }
            if (alertmanager != null) {
                alertmanager.close();
            }
            if (directory != null) {
                try (Stream<Path> walk = Files.walk(directory)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
