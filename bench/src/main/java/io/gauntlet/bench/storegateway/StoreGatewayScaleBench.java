package io.gauntlet.bench.storegateway;

import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.index.Utf8Order;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The store gateway at scale: a FILESYSTEM bucket of many Gauntlet-written blocks (default 1,000 blocks × 10,000
 * series = 10 M series), the store-gateway fast-jar started as its own process on it (cold: empty data dir; warm: the
 * index headers and meta.json copies of the cold run present), time to {@code /-/ready}, resident memory, heap, local
 * index-header bytes, bucket operations, and one-matcher queries over every block by gRPC.
 *
 * <p>{@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.storegateway.StoreGatewayScaleBench
 * [bucket dir=/tmp/gauntlet-sg-scale/bucket] [blocks=1000] [series per block=10000] [gateway jar] [extra JVM options…]}
 * The bucket is generated once and reused when its marker file says it holds the asked blocks.
 */
public final class StoreGatewayScaleBench {
    static final long BLOCK_RANGE = 7_200_000L;
    static final long FIRST = 1_700_000_000_000L / BLOCK_RANGE * BLOCK_RANGE;
    static final int METRICS = 50;
    static final int SAMPLES = 8; // one every 15 min: the index is what start-up reads
    static final String QUERIED_METRIC = "node_metric_07";
    private static final String MARKER = "gauntlet-scale-bench.properties";

    public static void main(String[] args) throws Exception {
        Path bucketDir = Path.of(args.length > 0 ? args[0] : "/tmp/gauntlet-sg-scale/bucket");
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seriesPerBlock = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Path jar = Path.of(args.length > 3 ? args[3] : "services/store-gateway/target/quarkus-app/quarkus-run.jar");
        List<String> jvmOptions = args.length > 4 ? List.of(args).subList(4, args.length) : List.of();
        if (seriesPerBlock % METRICS != 0) {
            throw new IllegalArgumentException("series per block must be a multiple of " + METRICS);
        }
        System.out.println("load before: " + loadAverage());
        generate(bucketDir, blocks, seriesPerBlock);

        Path work = bucketDir.getParent();
        Path dataDir = work.resolve("gateway-data");
        deleteRecursively(dataDir);
        Path objstore = work.resolve("objstore.yaml");
        Files.writeString(objstore, "type: FILESYSTEM\nconfig:\n  directory: " + bucketDir.toAbsolutePath() + "\n");
        String otherObjstore = System.getProperty("objstore");
        if (otherObjstore != null) {
            objstore = Path.of(otherObjstore); // the same bucket served otherwise, e.g. by s3proxy over the bucket directory
        }
        System.out.println("gateway JVM options: " + (jvmOptions.isEmpty() ? "(none: JVM defaults)" : String.join(" ", jvmOptions))
                + "; objstore " + objstore);
        long end = FIRST + blocks * BLOCK_RANGE;
        for (String run : List.of("cold", "warm")) {
            System.out.printf("%n== %s start (%s data dir) ==%n", run, run.equals("cold") ? "empty" : "the cold run's");
            runGateway(jar, jvmOptions, objstore, dataDir, end, blocks);
        }
    }

    // ---- the bucket ----

    /** Writes the blocks straight into the bucket directory (a FILESYSTEM bucket is plain files); resumes a partial run. */
    static void generate(Path bucketDir, int blocks, int seriesPerBlock) throws Exception {
        Path marker = bucketDir.resolve(MARKER);
        String expected = "blocks=" + blocks + "\nseriesPerBlock=" + seriesPerBlock + "\n";
        if (Files.exists(marker) && Files.readString(marker).equals(expected)) {
            System.out.printf("bucket %s: reusing %d blocks x %d series, %.1f MiB%n", bucketDir, blocks, seriesPerBlock, mib(sizeOf(bucketDir)));
            return;
        }
        Files.createDirectories(bucketDir);
        Files.deleteIfExists(marker);
        boolean[] present = new boolean[blocks];
        try (Stream<Path> entries = Files.list(bucketDir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!Ulid.isUlid(name)) {
                    deleteRecursively(entry); // a writer's leftover temporary directory
                    continue;
                }
                BlockMeta meta = BlockMeta.read(entry);
                int index = (int) ((meta.minTime() - FIRST) / BLOCK_RANGE);
                if (index >= 0 && index < blocks && meta.stats().numSeries() == seriesPerBlock) {
                    present[index] = true;
                } else {
                    deleteRecursively(entry);
                }
            }
        }
        long start = System.nanoTime();
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> writes = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            if (present[b]) {
                continue;
            }
            int block = b;
            writes.add(pool.submit(() -> {
                writeBlock(bucketDir, block, seriesPerBlock);
                int n = done.incrementAndGet();
                if (n % 100 == 0) {
                    System.out.printf("  %d blocks written, %.0f s%n", n, (System.nanoTime() - start) / 1e9);
                }
                return null;
            }));
        }
        for (Future<?> write : writes) {
            write.get();
        }
        pool.shutdown();
        Files.writeString(marker, expected);
        System.out.printf("bucket %s: generated %d blocks x %d series (%d written now) in %.1f s on %d threads, %.1f MiB, load %s%n", bucketDir,
                blocks, seriesPerBlock, writes.size(), (System.nanoTime() - start) / 1e9, threads, mib(sizeOf(bucketDir)), loadAverage());
    }

    /**
     * One 2 h block: {@code seriesPerBlock / 50} scrape targets × 50 metric names. Targets churn: each block keeps 90 %
     * of the previous block's targets (pods are replaced), so pod and instance values differ block to block.
     */
    static void writeBlock(Path bucketDir, int block, int seriesPerBlock) throws IOException {
        int targets = seriesPerBlock / METRICS;
        int churn = Math.max(1, targets / 10);
        List<Labels> series = new ArrayList<>(seriesPerBlock);
        for (int t = 0; t < targets; t++) {
            int target = block * churn + t;
            String job = switch (target % 5) {
                case 0 -> "node";
                case 1 -> "api";
                case 2 -> "db";
                case 3 -> "cache";
                default -> "web";
            };
            String namespace = "team-" + (target % 12);
            String pod = job + "-" + Integer.toHexString(0x9e3779b9 * target) + "-" + Integer.toString(target % 97 + 1000, 36);
            String instance = "10." + (target >>> 16 & 255) + "." + (target >>> 8 & 255) + "." + (target & 255) + ":9100";
            for (int m = 0; m < METRICS; m++) {
                series.add(Labels.of("__name__", String.format("node_metric_%02d", m), "instance", instance, "job", job, "namespace", namespace,
                        "pod", pod, "env", "prod", "region", "eu-west-" + (target % 3 + 1)));
            }
        }
        series.sort(Utf8Order::compare);
        long minTime = FIRST + block * BLOCK_RANGE;
        Random random = new Random(block);
        long[] ts = new long[SAMPLES];
        double[] values = new double[SAMPLES];
        BlockWriter.Options options = BlockWriter.Options.defaults()
                .withUlid(Ulid.of(minTime + BLOCK_RANGE, random))
                .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1", "replica", "0"), 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(bucketDir, minTime, minTime + BLOCK_RANGE, options)) {
            for (Labels labels : series) {
                double v = random.nextInt(1000);
                for (int s = 0; s < SAMPLES; s++) {
                    ts[s] = minTime + s * (BLOCK_RANGE / SAMPLES) + random.nextInt(1000);
                    v += random.nextInt(20);
                    values[s] = v;
                }
                writer.addSeries(labels, ts, values, SAMPLES);
            }
            writer.commit();
        }
    }

    // ---- the gateway ----

    static void runGateway(Path jar, List<String> jvmOptions, Path objstore, Path dataDir, long end, int blocks) throws Exception {
        int httpPort = freePort();
        int grpcPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dgauntlet.store-gateway.objstore-config-file=" + objstore.toAbsolutePath(),
                "-Dgauntlet.store-gateway.data-dir=" + dataDir.toAbsolutePath(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                "-Dgauntlet.grpc.address=127.0.0.1:" + grpcPort, "-jar", jar.toAbsolutePath().toString()));
        Path log = dataDir.resolveSibling("gateway-" + System.currentTimeMillis() + ".log");
        long started = System.nanoTime();
        Process gateway = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ManagedChannel channel = null;
        try {
            long healthy = 0;
            long ready = 0;
            long peakRss = 0;
            while (ready == 0) {
                if (!gateway.isAlive()) {
                    throw new IllegalStateException("gateway exited with " + gateway.exitValue() + ", see " + log);
                }
                if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("gateway not ready after 10 minutes, see " + log);
                }
                peakRss = Math.max(peakRss, status(gateway.pid()).getOrDefault("VmRSS", 0L));
                int code = statusCode(http, httpPort, "/-/ready");
                if (code == 200) {
                    ready = System.nanoTime() - started;
                } else if (code == 503 && healthy == 0) {
                    healthy = System.nanoTime() - started;
                }
                if (ready == 0) {
                    Thread.sleep(50); // polling an external process, as a readiness probe would
                }
            }
            System.out.printf("time to /-/ready %.2f s (first HTTP answer 503 at %.2f s); load %s%n", ready / 1e9, healthy / 1e9, loadAverage());
            String metrics = get(http, httpPort, "/metrics");
            System.out.printf("blocks loaded %s, load failures %s%n", metric(metrics, "thanos_bucket_store_blocks_loaded"),
                    metric(metrics, "thanos_bucket_store_block_load_failures_total"));
            printMemory("at ready", gateway.pid(), metrics, Math.max(peakRss, status(gateway.pid()).get("VmRSS")));
            System.out.printf("local data dir %.1f MiB (index headers %.1f MiB in %d files)%n", mib(sizeOf(dataDir)),
                    mib(sizeOf(dataDir, "index-header")), countOf(dataDir, "index-header"));
            System.out.println("bucket operations during start-up: " + bucketOperations(metrics));
            System.out.printf("process CPU time to ready: %.1f s; from the gateway's log: %s%n",
                    gateway.info().totalCpuDuration().map(Duration::toMillis).orElse(-1L) / 1e3, startupLines(log));
            fullGc(gateway.pid());
            printMemory("at ready, after a full GC (live heap)", gateway.pid(), get(http, httpPort, "/metrics"), 0);

            channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().maxInboundMessageSize(256 << 20).build();
            SeriesRequest request = SeriesRequest.newBuilder().setMinTime(FIRST).setMaxTime(end).setResponseBatchSize(64)
                    .addAllMatchers(StoreWire.toWireMatchers(List.of(LabelMatcher.equal("__name__", QUERIED_METRIC)))).build();
            long[] latencies = new long[6];
            long[] counts = null;
            for (int i = 0; i < latencies.length; i++) {
                long t = System.nanoTime();
                counts = drain(channel, request);
                latencies[i] = System.nanoTime() - t;
            }
            String after = get(http, httpPort, "/metrics");
            System.out.printf("query {__name__=\"%s\"} over all %d blocks (whole range, response_batch_size 64): %d series, %d chunks;"
                    + " first (cold cache) %.0f ms, then median of %d %.0f ms; load %s%n", QUERIED_METRIC, blocks, counts[0], counts[1],
                    latencies[0] / 1e6, latencies.length - 1, median(Arrays.copyOfRange(latencies, 1, latencies.length)) / 1e6, loadAverage());
            System.out.println("bucket operations after the queries: " + bucketOperations(after));
            printMemory("after the queries", gateway.pid(), after, 0);
            fullGc(gateway.pid());
            printMemory("after the queries and a full GC", gateway.pid(), get(http, httpPort, "/metrics"), 0);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            gateway.destroy(); // SIGTERM: a graceful Quarkus shutdown, as an orchestrator stops it
            if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
            System.out.println("gateway log: " + log);
        }
    }

    static void printMemory(String when, long pid, String metrics, long peakRss) throws IOException {
        Map<String, Long> status = status(pid);
        System.out.printf("%s: VmRSS %.0f MiB (anon %.0f, file %.0f)%s, heap used %.0f MiB, heap committed %.0f MiB, non-heap used %.0f MiB%n", when,
                status.get("VmRSS") / 1024.0, status.getOrDefault("RssAnon", 0L) / 1024.0, status.getOrDefault("RssFile", 0L) / 1024.0,
                peakRss > 0 ? String.format(", peak seen while starting %.0f MiB", peakRss / 1024.0) : "",
                sum(metrics, "jvm_memory_used_bytes{area=\"heap\"") / 1048576.0, sum(metrics, "jvm_memory_committed_bytes{area=\"heap\"") / 1048576.0,
                sum(metrics, "jvm_memory_used_bytes{area=\"nonheap\"") / 1048576.0);
    }

    /** Asks the gateway's JVM for a full GC (jcmd), so that the heap figure is what stays live. */
    static void fullGc(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
        }
    }

    /** Quarkus' "started in" and the gateway's "initial bucket sync" figures from its log. */
    static String startupLines(Path log) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int at = line.indexOf("started in ");
            if (at >= 0) {
                out.append("Quarkus started in ").append(line, at + 11, line.indexOf('.', at + 11) + 4).append("; ");
            }
            at = line.indexOf("initial bucket sync: ");
            if (at >= 0) {
                out.append(line.substring(at, line.indexOf(", ready", at))).append("; ");
            }
        }
        return out.toString();
    }

    /** {@code /proc/<pid>/status} memory lines in KiB. */
    static Map<String, Long> status(long pid) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile") || line.startsWith("VmHWM")) {
                String[] parts = line.split("\\s+");
                out.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]));
            }
        }
        return out;
    }

    static long[] drain(ManagedChannel channel, SeriesRequest request) {
        long series = 0;
        long chunks = 0;
        for (Iterator<SeriesResponse> it = StoreGrpc.newBlockingStub(channel).series(request); it.hasNext(); ) {
            SeriesResponse response = it.next();
            if (response.hasSeries()) {
                series++;
                chunks += response.getSeries().getChunksCount();
            } else {
                series += response.getBatch().getSeriesCount();
                for (var s : response.getBatch().getSeriesList()) {
                    chunks += s.getChunksCount();
                }
            }
        }
        return new long[] {series, chunks};
    }

    static String bucketOperations(String metrics) {
        StringBuilder out = new StringBuilder();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("thanos_objstore_bucket_operations_total{")) {
                int at = line.indexOf("operation=\"") + 11;
                String operation = line.substring(at, line.indexOf('"', at));
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (value > 0) {
                    out.append(operation).append(' ').append(value).append(", ");
                    total += value;
                }
            }
        }
        return out.append("total ").append(total).toString();
    }

    static String metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "?";
    }

    static double sum(String metrics, String prefix) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    static int statusCode(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    static String get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static long median(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    static long sizeOf(Path dir) throws IOException {
        return sizeOf(dir, null);
    }

    static long sizeOf(Path dir, String fileName) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> fileName == null || f.getFileName().toString().equals(fileName))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static long countOf(Path dir, String fileName) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().equals(fileName)).count();
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
