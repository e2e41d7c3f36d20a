package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus 2.42 answers the same queries over the compacted block as over its four sources. */
class PrometheusServesCompactedBlockTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void rangeQueriesOverTheCompactedBlockEqualThoseOverItsSources() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus 2.42 not installed at /usr/bin/prometheus: skipping");
        long start = (System.currentTimeMillis() - 3 * 86_400_000L) / (8 * HOUR) * (8 * HOUR);
        Map<String, String> labels = Map.of("cluster", "eu-1");
        Path sourcesDb = dir.resolve("sources-db");
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            var meta = TestBlocks.write(sourcesDb, start + i * 2 * HOUR, start + (i + 1) * 2 * HOUR, labels, 40, 200 + i, 0);
            sources.add(sourcesDb.resolve(meta.ulid().toString()));
        }
        Path compactedDb = dir.resolve("compacted-db");
        BlockCompactor.compact(sources, compactedDb, labels, Deduplication.NONE, CompactionProgress.NONE);

        Process a = start(sourcesDb, "a");
        Process b = start(compactedDb, "b");
        try {
            String urlA = await(a, "a");
            String urlB = await(b, "b");
            String range = "&start=" + (start / 1000) + "&end=" + ((start + 8 * HOUR) / 1000 - 1) + "&step=60";
            for (String query : List.of("requests_total", "temperature", "sum by (instance) (rate(requests_total[5m]))",
                    "max_over_time(temperature[30m])", "count(temperature)")) {
                String path = "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + range;
                String fromSources = get(urlA + path);
                assertThat(fromSources).contains("\"status\":\"success\"").contains("\"values\"");
                assertThat(get(urlB + path)).as(query).isEqualTo(fromSources);
            }
        } finally {
            a.destroy();
            b.destroy();
            a.waitFor();
            b.waitFor();
        }
    }

    private final Map<String, String> urls = new java.util.HashMap<>();

    private Process start(Path db, String name) throws Exception {
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, "scrape_configs: []\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        urls.put(name, "http://127.0.0.1:" + port);
        return new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + db, "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=100y", "--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private String await(Process process, String name) {
        String url = urls.get(name);
        Awaitility.await("Prometheus " + name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as("prometheus %s exited: %s", name, Files.readString(dir.resolve(name + ".log"))).isTrue();
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        return url;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }
}
