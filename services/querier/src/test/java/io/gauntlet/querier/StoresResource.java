package io.gauntlet.querier;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.query.testing.QuerierFixture;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.query.testing.UnavailableSource;
import io.gauntlet.tsdb.Labels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts the stores the querier under test fans out to (parity data, two HA replicas, a failing and a hanging store)
 * and, when installed, a real Prometheus 2.42 over the same parity data; hands their addresses to the querier config.
 */
public class StoresResource implements QuarkusTestResourceLifecycleManager {
    private final List<StoreFixture> stores = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private Process prometheus;
    private Path directory;
    private int benchInstances;
    private boolean benchBucket;
    private boolean benchLevel;
    private int benchDayInstances;
    private QuerierFixture lowerQuerier;
    private BucketStore bucketStore;
    private String benchBucketName = "";

    @Override
    public void init(Map<String, String> initArgs) {
        benchInstances = Integer.parseInt(initArgs.getOrDefault("benchInstances", "0"));
        benchBucket = initArgs.getOrDefault("benchStore", "memory").equals("bucket");
        benchLevel = initArgs.getOrDefault("benchStore", "memory").equals("behind-querier");
        benchDayInstances = Integer.getInteger("querier.bench.day-instances", Integer.parseInt(initArgs.getOrDefault("benchDayInstances", "0")));
    }

    @Override
    public Map<String, String> start() {
        try {
            if (benchInstances > 0 && benchLevel) {
                // one store, reached directly and through a querier serving the StoreAPI; storeMatch[] picks the path
                StoreFixture store = StoreFixture.serve(TestData.source(TestData.benchSeries(benchInstances)));
                stores.add(store);
                lowerQuerier = QuerierFixture.over(List.of(store.address()));
                return Map.of("gauntlet.querier.endpoints", store.address() + "," + lowerQuerier.address(),
                        "test.bench-store", store.address(), "test.bench-lower-querier", lowerQuerier.address());
            }
            if (benchInstances > 0) {
                // the benchmark: one store and Prometheus over the same, larger data; the store holds it in memory
                // or, as a store gateway does, reads the very blocks promtool made for Prometheus from a bucket
                List<TestData.SeriesData> data = new ArrayList<>(TestData.benchSeries(benchInstances));
                data.addAll(TestData.nodeExporterDay(benchDayInstances)); // the day before, for the day-long queries
                Map<String, String> config = new HashMap<>();
                config.put("test.prometheus-url", startPrometheus(TestData.openMetrics(data)));
                StoreFixture store = StoreFixture.serve(benchBucket ? bucketStore() : TestData.source(data));
                stores.add(store);
                config.put("gauntlet.querier.endpoints", store.address());
                config.put("test.prometheus-pid", prometheus == null ? "0" : String.valueOf(prometheus.pid()));
                config.put("test.bench-bucket", benchBucketName);
                return config;
            }
            StoreFixture parity = StoreFixture.serve(TestData.paritySource());
            StoreFixture r1 = StoreFixture.serve(TestData.haReplica("r1"));
            StoreFixture r2 = StoreFixture.serve(TestData.haReplica("r2"));
            StoreFixture failing = StoreFixture.serve(new UnavailableSource(Labels.of("cluster", "failing"), TestData.T_FAIL,
                    TestData.T_FAIL + 3_600_000L, null));
            StoreFixture hanging = StoreFixture.serve(new UnavailableSource(Labels.of("cluster", "hanging"), TestData.T_HANG,
                    TestData.T_HANG + 3_600_000L, release));
            stores.addAll(List.of(parity, r1, r2, failing, hanging));
            Map<String, String> config = new HashMap<>();
            config.put("gauntlet.querier.endpoints", String.join(",", stores.stream().map(StoreFixture::address).toList()));
            config.put("gauntlet.querier.replica-labels", "replica");
            config.put("gauntlet.querier.info-interval", "1s");
            config.put("test.store.parity", parity.address());
            config.put("test.prometheus-url", startPrometheus(TestData.parityOpenMetrics()));
            config.put("gauntlet.querier.enable-feature", "promql-per-step-stats"); // as the Prometheus compared with
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A BucketStore over a bucket holding a copy of the blocks promtool made for Prometheus: on s3proxy (the shared
     * test server, as a store gateway reads S3) unless {@code -Dquerier.bench.bucket=filesystem}.
     */
    private BucketStore bucketStore() throws IOException {
        if (directory == null) {
            throw new IllegalStateException("the bucket benchmark needs promtool's blocks: Prometheus 2.42 and promtool are not installed");
        }
        // Prometheus compacts and deletes blocks in its own directory: the bucket is the pristine copy
        Path bucketDirectory = directory.resolve("blocks");
        Bucket bucket = new FilesystemBucket(bucketDirectory);
        if (!System.getProperty("querier.bench.bucket", "s3").equals("filesystem")) {
            Bucket s3 = BucketFactory.create(BucketConfig.s3(S3ProxyFixture.shared().newBucket("querier-bench")));
            try (var files = Files.walk(bucketDirectory)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    // meta.json last, as a shipper uploads
                    if (!file.getFileName().toString().equals("meta.json")) {
                        s3.upload(bucketDirectory.relativize(file).toString().replace('\\', '/'), file);
                    }
                }
            }
            try (var files = Files.walk(bucketDirectory)) {
                for (Path file : files.filter(f -> f.getFileName().toString().equals("meta.json")).toList()) {
                    s3.upload(bucketDirectory.relativize(file).toString().replace('\\', '/'), file);
                }
            }
            bucket.close();
            bucket = s3;
        }
        benchBucketName = bucket.name();
        bucketStore = new BucketStore(bucket, BucketStoreConfig.defaults(directory.resolve("store-cache")));
        bucketStore.sync();
        if (bucketStore.blocksLoaded() == 0) {
            throw new IllegalStateException("no block loaded from " + bucket.name());
        }
        return bucketStore;
    }

    /** Prometheus over promtool blocks of the parity data; "" when Prometheus or promtool is missing. */
    private String startPrometheus(String openMetrics) throws IOException {
        Path binary = Path.of("/usr/bin/prometheus");
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(binary) || !Files.isExecutable(promtool)) {
            return "";
        }
        directory = Files.createTempDirectory("querier-prometheus");
        Path input = directory.resolve("data.om");
        Files.writeString(input, openMetrics);
        Path data = directory.resolve("data");
        run(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", input.toString(), data.toString());
        // a copy of promtool's blocks as they were made: the bucket of the store gateway benchmark
        try (var files = Files.walk(data)) {
            for (Path file : files.toList()) {
                Path target = directory.resolve("blocks").resolve(data.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Files.writeString(directory.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + directory.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=10y",
                "--enable-feature=promql-per-step-stats", "--log.level=warn").redirectErrorStream(true)
                .redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        String url = "http://127.0.0.1:" + port;
        awaitPrometheus(prometheus, directory.resolve("prometheus.log"), HttpClient.newHttpClient(), url + "/-/ready", 200);
        return url;
    }

    /** Waits until a Prometheus this test started answers {@code probe} with {@code status}; its log when it exited. */
    static void awaitPrometheus(Process prometheus, Path log, HttpClient client, String probe, int status) {
        org.awaitility.Awaitility.await("prometheus up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!prometheus.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + Files.readString(log));
            }
            try {
                return client.send(HttpRequest.newBuilder(URI.create(probe)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == status;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Stops a process this test started: politely, then for good. */
    static void stopProcess(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void stop() {
        release.countDown();
        if (lowerQuerier != null) {
            try {
                lowerQuerier.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (bucketStore != null) {
            bucketStore.close();
        }
        for (StoreFixture store : stores) {
            try {
                store.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopProcess(prometheus);
    }

}
