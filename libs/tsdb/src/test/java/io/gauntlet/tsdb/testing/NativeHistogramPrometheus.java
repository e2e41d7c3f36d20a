package io.gauntlet.tsdb.testing;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus 2.42 ({@code --enable-feature=native-histograms}) scraping a Prometheus Java client exporter that
 * serves native histograms over the protobuf exposition format, every 100 ms, with 5 s blocks so that the head is
 * written to blocks within seconds. {@link #scenario()} drives a deterministic stream of observations: positive,
 * negative, a schema change (bucket limit), the series disappearing (staleness markers), an exporter restart (counter
 * reset) and an empty period. Loopback only; {@link #close()} stops both.
 */
public final class NativeHistogramPrometheus implements AutoCloseable {
    public static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    public static final long BLOCK_MILLIS = 5_000;
    public static final String HISTOGRAM = "request_latency_seconds";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path directory;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicInteger scrapes = new AtomicInteger();
    private final HTTPServer exporter;
    private final Process prometheus;
    private final String url;
    /** The exporter's histogram, swapped whole so that no scrape sees an exporter half-way through a restart. */
    private volatile Histogram histogram;

    private NativeHistogramPrometheus(Path directory) throws IOException {
        this.directory = directory;
        registry.register(new MultiCollector() {
            @Override
            public MetricSnapshots collect() {
                Histogram current = histogram;
                return current == null ? new MetricSnapshots() : MetricSnapshots.of(current.collect());
            }
        });
        registry.register(() -> GaugeSnapshot.builder().name("exporter_scrapes").help("scrapes served")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(scrapes.incrementAndGet()).build()).build());
        exporter = HTTPServer.builder().inetAddress(InetAddress.getLoopbackAddress()).port(0).registry(registry).buildAndStart();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        url = "http://127.0.0.1:" + port;
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 100ms, scrape_timeout: 100ms}
                scrape_configs:
                  - job_name: exporter
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(exporter.getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--enable-feature=native-histograms", "--storage.tsdb.retention.time=100y",
                "--storage.tsdb.min-block-duration=5s", "--storage.tsdb.max-block-duration=5s")
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
    }

    /** Starts both, or skips the test when Prometheus 2.42 is not installed. */
    public static NativeHistogramPrometheus start(Path directory) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus 2.42 not installed at " + PROMETHEUS + ": skipping");
        NativeHistogramPrometheus running = new NativeHistogramPrometheus(directory);
        try {
            Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> {
                        if (!running.prometheus.isAlive()) {
                            throw new AssertionError("prometheus exited: " + Files.readString(directory.resolve("prometheus.log")));
                        }
                        return HTTP.send(HttpRequest.newBuilder(URI.create(running.url + "/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (RuntimeException | Error e) {
            running.close();
            throw e;
        }
        return running;
    }

    public String url() {
        return url;
    }

    private Histogram newHistogram() {
        return Histogram.builder().name(HISTOGRAM).help("observed latencies").labelNames("path").nativeOnly()
                .nativeMaxNumberOfBuckets(12).build();
    }

    private void awaitScrapes(int count) {
        int target = scrapes.get() + count;
        Awaitility.await("scrapes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> scrapes.get() >= target);
    }

    /**
     * Runs the observation scenario and returns the time (ms) after the last sample of interest; observations are
     * deterministic, only which scrape sees them depends on timing.
     */
    public long scenario() {
        histogram = newHistogram();
        awaitScrapes(1); // the exporter is being scraped
        for (int i = 0; i < 15; i++) { // positive observations, a few new buckets on the way
            histogram.labelValues("/a").observe(0.25 + i * 0.01);
            histogram.labelValues("/a").observe(1.5);
            histogram.labelValues("/b").observe(0.001 * (i + 1));
            awaitScrapes(1);
        }
        for (int i = 0; i < 10; i++) { // negative observations and zero
            histogram.labelValues("/a").observe(-0.5 - i * 0.1);
            histogram.labelValues("/b").observe(0);
            awaitScrapes(1);
        }
        for (int i = 0; i < 10; i++) { // spread values: more buckets than allowed, the client lowers the schema
            histogram.labelValues("/a").observe(Math.pow(10, i - 4));
            histogram.labelValues("/a").observe(-Math.pow(7, i - 3));
            awaitScrapes(1);
        }
        histogram = null; // the series disappear: Prometheus writes staleness markers
        awaitScrapes(10);
        histogram = newHistogram(); // the exporter came back
        for (int i = 0; i < 10; i++) {
            // at i = 5 a restart between two scrapes: counters start over without a gap (the new process's first
            // observations replace the old histogram in one step, so no scrape can miss the series, which would
            // write a staleness marker instead of a counter reset)
            Histogram target = i == 5 ? newHistogram() : histogram;
            target.labelValues("/a").observe(0.3);
            target.labelValues("/b").observe(2.0 + i);
            histogram = target;
            awaitScrapes(1);
        }
        awaitScrapes(15); // an empty period: no observations
        return System.currentTimeMillis() + 500;
    }

    /**
     * Waits until Prometheus has written blocks up to {@code until} and returns every block directory, oldest first.
     */
    public List<Path> awaitBlocksUntil(long until) {
        Path data = directory.resolve("data");
        List<Path> blocks = new ArrayList<>();
        Awaitility.await("blocks covering the scenario").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    blocks.clear();
                    blocks.addAll(blockDirectories(data));
                    return blocks.stream().mapToLong(NativeHistogramPrometheus::maxTime).max().orElse(0) > until;
                });
        return List.copyOf(blocks);
    }

    private static List<Path> blockDirectories(Path data) throws IOException {
        try (Stream<Path> entries = Files.list(data)) {
            return entries.filter(p -> p.getFileName().toString().length() == 26 && Files.isRegularFile(p.resolve("meta.json")))
                    .sorted().toList();
        }
    }

    private static long maxTime(Path block) {
        try {
            String meta = Files.readString(block.resolve("meta.json"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"maxTime\":\\s*(\\d+)").matcher(meta);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** GET on the Prometheus HTTP API; the body. */
    public String get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @Override
    public void close() {
        prometheus.destroy();
        try {
            prometheus.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.close();
    }
}
