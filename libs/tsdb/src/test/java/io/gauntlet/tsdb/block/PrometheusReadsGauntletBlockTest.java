package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus 2.42 started on a data directory holding one Gauntlet-written block answers instant and range
 * queries with exactly the values written.
 */
class PrometheusReadsGauntletBlockTest {
    private static final long BLOCK = 7_200_000L;
    private static final long SCRAPE = 15_000L;
    private static final int SERIES = 20;
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    static Path directory;
    static Process prometheus;
    static String baseUrl;
    static long blockStart;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The value written for series i at sample n: exact in binary, distinct per series and time. */
    static double value(int series, int n) {
        return series * 1000.0 + n * 0.25 - 7;
    }

    @BeforeAll
    static void startPrometheusOnAGauntletBlock() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus 2.42 not installed at /usr/bin/prometheus: skipping");
        // a day ago: well inside retention and clear of the (empty) head
        long now = System.currentTimeMillis();
        blockStart = (now - 86_400_000L) / BLOCK * BLOCK;
        Path data = directory.resolve("data");
        try (BlockWriter writer = BlockWriter.create(data, blockStart, blockStart + BLOCK)) {
            int samples = (int) (BLOCK / SCRAPE);
            long[] timestamps = new long[samples];
            double[] values = new double[samples];
            for (int s = 0; s < SERIES; s++) {
                for (int n = 0; n < samples; n++) {
                    timestamps[n] = blockStart + n * SCRAPE;
                    values[n] = value(s, n);
                }
                // "s" padded so that label order equals numeric order
                writer.addSeries(Labels.of(Labels.METRIC_NAME, "gauntlet_written", "s", String.format("%03d", s)), timestamps, values, samples);
            }
            writer.commit();
        }
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, "scrape_configs: []\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        baseUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=100y")
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        Awaitility.await("Prometheus ready on " + baseUrl).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    assertThat(prometheus.isAlive()).as("prometheus exited: %s", log()).isTrue();
                    return get("/-/ready").statusCode() == 200;
                });
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static String log() throws IOException {
        return Files.readString(directory.resolve("prometheus.log"));
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode query(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("success");
        return body.path("data");
    }

    private static String seconds(long millis) {
        return String.format("%d.%03d", millis / 1000, millis % 1000);
    }

    @Test
    void instantQueriesReturnTheWrittenValues() throws Exception {
        for (int s : new int[] {0, 7, 19}) {
            for (int n : new int[] {0, 1, 239, 240, 479}) {
                String selector = URLEncoder.encode("gauntlet_written{s=\"" + String.format("%03d", s) + "\"}", StandardCharsets.UTF_8);
                JsonNode data = query("/api/v1/query?query=" + selector + "&time=" + seconds(blockStart + n * SCRAPE));
                assertThat(data.path("result")).as("series %d sample %d", s, n).hasSize(1);
                JsonNode sample = data.path("result").get(0).path("value");
                assertThat(Double.parseDouble(sample.get(1).asText())).as("series %d sample %d", s, n).isEqualTo(value(s, n));
            }
        }
        JsonNode count = query("/api/v1/query?query=count(gauntlet_written)&time=" + seconds(blockStart + 3_600_000L));
        assertThat(count.path("result").get(0).path("value").get(1).asText()).isEqualTo(String.valueOf(SERIES));
    }

    @Test
    void rangeQueriesReturnEverySampleWritten() throws Exception {
        String selector = URLEncoder.encode("gauntlet_written{s=\"003\"}", StandardCharsets.UTF_8);
        JsonNode data = query("/api/v1/query_range?query=" + selector + "&start=" + seconds(blockStart) + "&end="
                + seconds(blockStart + BLOCK - SCRAPE) + "&step=15");
        JsonNode values = data.path("result").get(0).path("values");
        assertThat(values).hasSize((int) (BLOCK / SCRAPE));
        for (int n = 0; n < values.size(); n++) {
            assertThat(Double.parseDouble(values.get(n).get(1).asText())).isEqualTo(value(3, n));
        }
    }
}
