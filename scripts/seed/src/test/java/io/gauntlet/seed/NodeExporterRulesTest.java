package io.gauntlet.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeded node_exporter history has the shapes real dashboards and rules expect: Prometheus 2.42, started over the
 * seeded blocks, evaluates every recording rule of kube-prometheus-stack's {@code node-exporter.rules} group to a
 * non-empty result at every step, with values in their ranges.
 */
class NodeExporterRulesTest {
    private static final long HOUR = 3_600_000L;
    private static final long END = 1_764_460_800_000L;
    private static final String DISKS = "mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|dasd.+";
    private static final String NUM_CPU = "count without (cpu, mode) (node_cpu_seconds_total{job=\"node-exporter\",mode=\"idle\"})";

    /**
     * The {@code node-exporter.rules} recording rules of kube-prometheus (as kube-prometheus-stack ships them), record name →
     * expression. {@code instance:node_load1_per_cpu:ratio} reads the recorded {@code instance:node_num_cpu:sum}; here its
     * expression stands in its place, since the rules are evaluated as queries, not recorded.
     */
    static final Map<String, String> RULES = new LinkedHashMap<>();

    static {
        RULES.put("instance:node_num_cpu:sum", NUM_CPU);
        RULES.put("instance:node_cpu_utilisation:rate5m",
                "1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{job=\"node-exporter\", mode=~\"idle|iowait|steal\"}[5m])))");
        RULES.put("instance:node_load1_per_cpu:ratio", "(node_load1{job=\"node-exporter\"} / " + NUM_CPU + ")");
        RULES.put("instance:node_memory_utilisation:ratio", "1 - ((node_memory_MemAvailable_bytes{job=\"node-exporter\"} or (node_memory_Buffers_bytes{job=\"node-exporter\"}"
                + " + node_memory_Cached_bytes{job=\"node-exporter\"} + node_memory_MemFree_bytes{job=\"node-exporter\"} + node_memory_Slab_bytes{job=\"node-exporter\"}))"
                + " / node_memory_MemTotal_bytes{job=\"node-exporter\"})");
        RULES.put("instance:node_vmstat_pgmajfault:rate5m", "rate(node_vmstat_pgmajfault{job=\"node-exporter\"}[5m])");
        RULES.put("instance_device:node_disk_io_time_seconds:rate5m", "rate(node_disk_io_time_seconds_total{job=\"node-exporter\", device=~\"" + DISKS + "\"}[5m])");
        RULES.put("instance_device:node_disk_io_time_weighted_seconds:rate5m",
                "rate(node_disk_io_time_weighted_seconds_total{job=\"node-exporter\", device=~\"" + DISKS + "\"}[5m])");
        for (String direction : List.of("receive", "transmit")) {
            RULES.put("instance:node_network_" + direction + "_bytes_excluding_lo:rate5m",
                    "sum without (device) (rate(node_network_" + direction + "_bytes_total{job=\"node-exporter\", device!=\"lo\"}[5m]))");
            RULES.put("instance:node_network_" + direction + "_drop_excluding_lo:rate5m",
                    "sum without (device) (rate(node_network_" + direction + "_drop_total{job=\"node-exporter\", device!=\"lo\"}[5m]))");
        }
    }

    @TempDir
    Path directory;

    @Test
    void everyNodeExporterRecordingRuleHasResultsInPrometheus() throws Exception {
        Path prometheus = PrometheusTool.require("prometheus");
        int instances = 3;
        Seeder.Options options = new Seeder.Options(new NodeExporterProfile(), instances, END - 8 * HOUR, END, 30_000, 7, Map.of(), "prometheus_replica",
                List.of("a"), 2 * HOUR, 1);
        Path data = Files.createDirectories(directory.resolve("data"));
        Seeder.run(options, directory.resolve("scratch"), (replica, meta, block) -> Files.move(block, data.resolve(meta.ulid().toString())),
                (done, total, samples) -> { });
        Path config = Files.writeString(directory.resolve("prometheus.yml"), "global: {}\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(log).contains("Server is ready to receive web requests."));
            HttpClient client = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            long from = (END - 7 * HOUR) / 1000;
            long to = (END - 60_000) / 1000;
            int steps = (int) ((to - from) / 300) + 1;
            for (Map.Entry<String, String> rule : RULES.entrySet()) {
                String url = "http://127.0.0.1:" + port + "/api/v1/query_range?start=" + from + "&end=" + to + "&step=300&query="
                        + URLEncoder.encode(rule.getValue(), StandardCharsets.UTF_8);
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(rule.getKey() + ": " + response.body()).isEqualTo(200);
                JsonNode result = json.readTree(response.body()).path("data").path("result");
                assertThat(result.size()).as(rule.getKey() + " series").isGreaterThanOrEqualTo(instances);
                int points = 0;
                for (JsonNode series : result) {
                    for (JsonNode point : series.path("values")) {
                        double value = Double.parseDouble(point.get(1).asText());
                        assertThat(value).as(rule.getKey()).isNotNaN().isGreaterThanOrEqualTo(0);
                        if (rule.getKey().endsWith("utilisation:ratio") || rule.getKey().endsWith("utilisation:rate5m")) {
                            assertThat(value).as(rule.getKey()).isLessThanOrEqualTo(1);
                        }
                        points++;
                    }
                }
                // every node answers at every step but during its reboots (minutes) and the replica's own outage (48 of 420 minutes)
                assertThat(points).as(rule.getKey() + " points").isGreaterThan((int) (result.size() * steps * 0.8));
            }
        } finally {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
