package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.rules.notifier.AlertmanagerProcess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HA pair of rulers (fast-jars, {@code rule_replica=a|b}) evaluating through a querier over a sidecar in front of a
 * real Prometheus 2.42, alerting a real Alertmanager 0.25: the querier's {@code /api/v1/rules}, {@code /api/v1/alerts}
 * and recorded series are deduplicated on the replica label, Alertmanager gets one alert without it, ruler a ships its
 * blocks, and after a SIGKILL ruler a restores its pending alert's {@code for} state and its recorded series have no
 * duplicate sample and no gap but the downtime.
 */
class RulerHaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = """
            groups:
              - name: ha
                interval: 1s
                rules:
                  - record: job:up:count
                    expr: count by (job) (up)
                  - alert: Watchdog
                    expr: vector(1)
                    labels:
                      severity: none
                  - alert: PendingLong
                    expr: vector(1)
                    for: 10m
            """;

    private static JsonNode json(String url) throws Exception {
        return JSON.readTree(ServiceProcess.get(url).body());
    }

    @Test
    void haPairThroughTheQuerierWithAlertmanagerAndACrash(@TempDir Path work) throws Exception {
        ServiceProcess.executable("prometheus");
        Assumptions.assumeTrue(AlertmanagerProcess.installed(), "prometheus-alertmanager is not installed (./gauntlet test installs it)");
        try (ServiceProcess.Group group = new ServiceProcess.Group();
             AlertmanagerProcess alertmanager = AlertmanagerProcess.start(work.resolve("alertmanager"))) {
            int prometheusPort = ServiceProcess.freePort();
            Files.writeString(work.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n  external_labels:\n    prometheus_replica: p0\n"
                    + "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:" + prometheusPort + "']\n");
            String prometheusUrl = "http://127.0.0.1:" + prometheusPort;
            group.add(ServiceProcess.start("prometheus", List.of(ServiceProcess.executable("prometheus").toString(),
                    "--config.file=" + work.resolve("prometheus.yml"), "--storage.tsdb.path=" + work.resolve("prometheus-data"),
                    "--web.listen-address=127.0.0.1:" + prometheusPort), work.resolve("prometheus.log"), prometheusUrl + "/-/ready"));
            ServiceProcess sidecar = group.add(ServiceProcess.startSidecar(work, prometheusUrl));

            Path rules = work.resolve("rules.yml");
            Files.writeString(rules, RULES);
            Path bucket = work.resolve("bucket");
            Files.createDirectories(bucket);
            Files.writeString(work.resolve("objstore.yml"), "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n");
            int querierPort = ServiceProcess.freePort();
            String querierUrl = "http://127.0.0.1:" + querierPort;
            int rulerAHttp = ServiceProcess.freePort();
            String rulerAGrpc = "127.0.0.1:" + ServiceProcess.freePort();
            List<String> rulerA = rulerProperties(work, "a", rules, querierUrl, alertmanager, rulerAGrpc);
            rulerA.add("-Dgauntlet.ruler.objstore-config-file=" + work.resolve("objstore.yml"));
            rulerA.add("-Dgauntlet.ruler.tsdb-block-duration=20s");
            ServiceProcess a = ServiceProcess.startService("ruler", "ruler-a", work, rulerAHttp, rulerA);
            String rulerBGrpc = "127.0.0.1:" + ServiceProcess.freePort();
            ServiceProcess b = group.add(ServiceProcess.startService("ruler", "ruler-b", work, ServiceProcess.freePort(),
                    rulerProperties(work, "b", rules, querierUrl, alertmanager, rulerBGrpc)));
            ServiceProcess querier = group.add(ServiceProcess.startService("querier", "querier", work, querierPort, List.of(
                    "-Dgauntlet.grpc.address=127.0.0.1:" + ServiceProcess.freePort(), "-Dgauntlet.querier.info-interval=1s",
                    "-Dgauntlet.querier.endpoints=" + sidecar.grpcAddress() + "," + rulerAGrpc + "," + rulerBGrpc,
                    "-Dgauntlet.querier.replica-labels=rule_replica,prometheus_replica")));

            // the querier fans the rules APIs out to both rulers and keeps one of each rule and alert
            await("both rulers evaluated through the querier").atMost(Duration.ofSeconds(60)).until(() ->
                    json(querierUrl + "/api/v1/alerts").path("data").path("alerts").size() == 2);
            JsonNode groups = json(querierUrl + "/api/v1/rules").path("data").path("groups");
            assertThat(groups).hasSize(1);
            assertThat(groups.get(0).path("rules")).hasSize(3);
            assertThat(groups.get(0).path("rules").get(1).path("state").asText()).isEqualTo("firing");
            assertThat(groups.get(0).path("rules").get(1).path("labels").has("rule_replica")).isFalse();
            assertThat(json(querierUrl + "/api/v1/rules?dedup=false").path("data").path("groups").get(0).path("rules")).hasSize(6);

            // recorded series: one after deduplication, one per replica without
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    json(querierUrl + "/api/v1/query?dedup=false&query=job:up:count").path("data").path("result").size() == 2);
            JsonNode deduplicated = json(querierUrl + "/api/v1/query?query=job:up:count").path("data").path("result");
            assertThat(deduplicated).hasSize(1);
            assertThat(deduplicated.get(0).path("metric").path("job").asText()).isEqualTo("prometheus");

            // Alertmanager deduplicates the pair: one Watchdog, without the replica label
            await().atMost(Duration.ofSeconds(30)).until(() -> alertmanager.alerts().contains("Watchdog"));
            JsonNode alerts = JSON.readTree(alertmanager.alerts());
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).path("labels").has("rule_replica")).isFalse();

            // ruler a cuts 20s blocks and ships them with its labels
            await("ruler a shipped a block").atMost(Duration.ofSeconds(90)).until(() -> shippedMetas(bucket).size() > 0);
            String meta = shippedMetas(bucket).getFirst();
            assertThat(meta).contains("\"rule_replica\":\"a\"").contains("\"source\":\"ruler\"");

            // SIGKILL ruler a, restart it on the same data: the pending alert keeps the time it already spent
            Instant activeBefore = Instant.parse(pendingActiveAt("http://127.0.0.1:" + rulerAHttp));
            Instant killed = Instant.now();
            a.kill();
            Thread.sleep(3000); // the downtime under test, not a wait for a condition
            ServiceProcess restarted = group.add(ServiceProcess.startService("ruler", "ruler-a-restarted", work, rulerAHttp, rulerA));
            Instant ready = Instant.now();
            await("ruler a restored its for state").atMost(Duration.ofSeconds(60)).until(() ->
                    restarted.logTail().contains("restored the for state of {alertname=\"PendingLong\"}"));
            Thread.sleep(3000); // a few evaluations after the restart: there to show no sample is written twice
            Instant after = Instant.parse(pendingActiveAt("http://127.0.0.1:" + rulerAHttp));
            // without a restore the alert would be new, active from the first evaluation after the restart (≥ ready - 1 s);
            // restored, it moves by the downtime only, so the time it was pending before the kill still counts
            Duration pendingBeforeKill = Duration.between(activeBefore, killed);
            assertThat(pendingBeforeKill).isGreaterThan(Duration.ofSeconds(10));
            assertThat(after).as("restored activeAt (before: " + activeBefore + ", killed " + killed + ", ready " + ready + ")")
                    .isAfter(activeBefore).isBefore(ready.minus(pendingBeforeKill).plusSeconds(5));

            String rangeQuery = querierUrl + "/api/v1/query?dedup=false&query="
                    + URLEncoder.encode("job:up:count{rule_replica=\"a\"}[10m]", StandardCharsets.UTF_8);
            // the querier's channel to ruler a reconnects with gRPC's backoff after the restart
            await("the querier reaches the restarted ruler a").atMost(Duration.ofSeconds(90))
                    .until(() -> json(rangeQuery).path("data").path("result").size() == 1);
            JsonNode replicaA = json(rangeQuery).path("data").path("result").get(0);
            List<Double> times = new ArrayList<>();
            replicaA.path("values").forEach(v -> times.add(v.get(0).asDouble()));
            double largestGap = 0;
            for (int i = 1; i < times.size(); i++) {
                assertThat(times.get(i)).as("timestamps strictly increase: no sample twice").isGreaterThan(times.get(i - 1));
                largestGap = Math.max(largestGap, times.get(i) - times.get(i - 1));
            }
            double downtime = Duration.between(killed, ready).toMillis() / 1000.0;
            assertThat(largestGap).as("no gap but the downtime (%.1f s)", downtime).isLessThan(downtime + 5);
            restarted.close();
            b.close();
            querier.close();
        }
    }

    private static String pendingActiveAt(String rulerUrl) throws Exception {
        for (JsonNode alert : json(rulerUrl + "/api/v1/alerts").path("data").path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals("PendingLong")) {
                return alert.path("activeAt").asText();
            }
        }
        return "";
    }

    private static List<String> shippedMetas(Path bucket) throws Exception {
        List<String> metas = new ArrayList<>();
        try (Stream<Path> list = Files.list(bucket)) {
            for (Path block : list.toList()) {
                if (Files.exists(block.resolve("meta.json"))) {
                    metas.add(Files.readString(block.resolve("meta.json")).replace(" ", "").replace("\n", ""));
                }
            }
        }
        return metas;
    }

    private static List<String> rulerProperties(Path work, String replica, Path rules, String querierUrl, AlertmanagerProcess alertmanager,
            String grpc) {
        return new ArrayList<>(List.of("-Dgauntlet.grpc.address=" + grpc, "-Dgauntlet.ruler.rule-files=" + rules,
                "-Dgauntlet.ruler.labels=rule_replica=" + replica, "-Dgauntlet.ruler.query-endpoints=" + querierUrl,
                "-Dgauntlet.ruler.data-dir=" + work.resolve("ruler-" + replica), "-Dgauntlet.ruler.alertmanagers-url=" + alertmanager.url(),
                "-Dgauntlet.ruler.alert-label-drop=rule_replica", "-Dgauntlet.ruler.for-grace-period=1m",
                "-Dgauntlet.ruler.eval-interval=1s"));
    }
}
