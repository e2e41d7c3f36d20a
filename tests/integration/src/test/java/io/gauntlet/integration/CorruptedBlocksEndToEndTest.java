package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.compact.Compactor;
import io.gauntlet.compact.CompactorMetrics;
import io.gauntlet.compact.CompactorOptions;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One damaged block costs only itself, end to end, on a filesystem bucket and on s3proxy: nine 2h blocks, three of them
 * damaged the ways bit rot and old bugs damage blocks (bytes flipped in a chunk file, a chunk segment deleted after
 * meta.json was written, an index cut short). The store gateway and the querier (their fast-jars) answer every query
 * over the whole range exactly as a Prometheus 2.42 holding only the six healthy blocks, plus one warning per damaged
 * block naming it and its file; with {@code partial_response=false} the query fails with that warning instead. The
 * damage is found once (the gateway's counters do not move on the next query), the querier's stores page lists the
 * damaged blocks, and the compactor marks them no-compact and compacts the healthy blocks around them.
 */
class CorruptedBlocksEndToEndTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_006_400_000L / (8 * H) * (8 * H); // aligned to the compactor's 8h range
    private static final int BLOCKS = 9;
    private static final long END = T0 + BLOCKS * 2 * H;
    private static final int FLIPPED = 0;
    private static final int MISSING = 6;
    private static final int TRUNCATED = 7;
    private static final List<Integer> HEALTHY = List.of(1, 2, 3, 4, 5, 8);
    private static final Map<String, String> EXTERNAL = Map.of("cluster", "it");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> QUERIES = List.of("it_requests_total", "rate(it_requests_total[10m])",
            "sum by (job) (it_temperature_celsius)", "max_over_time(it_temperature_celsius[30m])", "count_over_time(it_requests_total[1h])");

    enum Backend { FILESYSTEM, S3 }

    private record Stack(Bucket bucket, ServiceProcess gateway, ServiceProcess querier, List<String> ids) {
    }

    @org.junit.jupiter.api.io.TempDir
    static Path work;
    private static final ServiceProcess.Group processes = new ServiceProcess.Group();
    private static final Map<Backend, Stack> stacks = new EnumMap<>(Backend.class);
    private static final List<Path> localBlocks = new ArrayList<>();
    private static String prometheus;

    @BeforeAll
    static void startStacks() throws Exception {
        SampleSet data = generate();
        for (int i = 0; i < BLOCKS; i++) {
            localBlocks.add(data.writeBlock(Files.createDirectories(work.resolve("blocks")), T0 + i * 2 * H, T0 + (i + 1) * 2 * H, EXTERNAL));
        }
        // the reference: a Prometheus holding the healthy blocks only
        prometheus = processes.add(ServiceProcess.startPrometheus(work, "prometheus", data.openMetrics(t -> HEALTHY.contains((int) ((t - T0) / (2 * H)))),
                "")).url();
        for (Backend backend : Backend.values()) {
            Path dir = Files.createDirectories(work.resolve(backend.name().toLowerCase()));
            Bucket bucket;
            String objstore;
            if (backend == Backend.FILESYSTEM) {
                Path bucketDir = Files.createDirectories(dir.resolve("bucket"));
                bucket = new FilesystemBucket(bucketDir);
                objstore = "type: FILESYSTEM\nconfig:\n  directory: " + bucketDir + "\n";
            } else {
                S3Config s3 = S3ProxyFixture.shared().newBucket("corrupted");
                bucket = BucketFactory.create(BucketConfig.s3(s3));
                objstore = "type: S3\nconfig:\n  bucket: " + s3.bucket() + "\n  endpoint: " + s3.endpoint().replaceFirst("^https?://", "")
                        + "\n  access_key: " + s3.accessKey() + "\n  secret_key: " + s3.secretKey() + "\n  insecure: true\n  bucket_lookup_type: path\n";
            }
            List<String> ids = new ArrayList<>();
            for (Path block : localBlocks) {
                BlockMeta meta = BlockMeta.read(block);
                BlockTransfer.upload(bucket, block, meta.ulid());
                ids.add(meta.ulid().toString());
            }
            damage(bucket, ids);
            ServiceProcess gateway = processes.add(ServiceProcess.startStoreGateway(dir, objstore));
            ServiceProcess querier = processes.add(ServiceProcess.startQuerier(dir, List.of(gateway)));
            stacks.put(backend, new Stack(bucket, gateway, querier, ids));
        }
    }

    /** Bytes flipped inside the first chunk of one block, another's only chunk segment deleted, a third's index cut short. */
    private static void damage(Bucket bucket, List<String> ids) throws IOException {
        byte[] chunks = read(bucket, ids.get(FLIPPED) + "/chunks/000001");
        chunks[20] ^= 0x5A; // the first chunk's data starts at byte 8
        bucket.upload(ids.get(FLIPPED) + "/chunks/000001", new ByteArrayInputStream(chunks), chunks.length);
        bucket.delete(ids.get(MISSING) + "/chunks/000001");
        byte[] index = read(bucket, ids.get(TRUNCATED) + "/index");
        bucket.upload(ids.get(TRUNCATED) + "/index", new ByteArrayInputStream(index, 0, index.length / 2), index.length / 2);
    }

    @AfterAll
    static void stopStacks() {
        processes.close();
        stacks.values().forEach(stack -> stack.bucket().close());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void damagedBlocksCostOnlyThemselvesAndAreFoundOnce(Backend backend) throws Exception {
        Stack stack = stacks.get(backend);
        List<String> damaged = List.of(stack.ids().get(FLIPPED), stack.ids().get(MISSING), stack.ids().get(TRUNCATED));

        // every query over the whole range: Prometheus' answer over the healthy blocks, one warning per damaged block
        for (int round = 0; round < 2; round++) {
            for (String query : QUERIES) {
                Answer gauntlet = rangeQuery(stack.querier().url(), query, T0, END, "");
                assertThat(gauntlet.matrix()).as(backend + " " + query).isEqualTo(rangeQuery(prometheus, query, T0, END, "").matrix());
                assertThat(gauntlet.warnings()).as(backend + " " + query).hasSize(3);
                for (String id : damaged) {
                    assertThat(gauntlet.warnings()).anySatisfy(w -> assertThat(w).contains("corrupted block " + id + ": "));
                }
                assertThat(gauntlet.warnings()).anySatisfy(w -> assertThat(w).contains(stack.ids().get(FLIPPED) + ": chunks/000001 at offset 8: ")
                        .contains("checksum mismatch"));
                assertThat(gauntlet.warnings()).anySatisfy(w -> assertThat(w).contains(stack.ids().get(MISSING) + ": chunks/000001: missing"));
                assertThat(gauntlet.warnings()).anySatisfy(w -> assertThat(w).contains(stack.ids().get(TRUNCATED) + ": index at offset ")
                        .contains("truncated"));
            }
            if (round == 0) {
                assertThat(gatewayMetric(stack, "gauntlet_bucket_store_corrupted_blocks")).isEqualTo(3);
            }
        }
        // found once each, however often asked for; later answers come from the quarantine, not from reading the blocks
        for (String cause : List.of("checksum", "missing_file", "truncated")) {
            assertThat(gatewayMetric(stack, "gauntlet_bucket_store_corrupted_blocks_detected_total{cause=\"" + cause + "\"}")).as(cause).isEqualTo(1);
        }
        assertThat(gatewayMetric(stack, "gauntlet_bucket_store_quarantined_block_skips_total")).isGreaterThanOrEqualTo(3 * QUERIES.size());

        // each damaged block alone: one warning, the healthy neighbour's samples as Prometheus has them
        // (each window starts more than the 5m lookback after the block before it, so that one is not asked for)
        long[][] windows = {{T0 - 2 * H, T0 + 2 * H - 1}, {T0 + 10 * H, T0 + 14 * H - 1}, {T0 + 14 * H + 600_000, END}};
        int[] blocks = {FLIPPED, MISSING, TRUNCATED};
        for (int i = 0; i < windows.length; i++) {
            Answer alone = rangeQuery(stack.querier().url(), "it_requests_total", windows[i][0], windows[i][1], "");
            assertThat(alone.warnings()).singleElement().asString().contains("corrupted block " + stack.ids().get(blocks[i]));
            if (blocks[i] != FLIPPED) {
                assertThat(alone.matrix()).isEqualTo(rangeQuery(prometheus, "it_requests_total", windows[i][0], windows[i][1], "").matrix());
            }
        }

        // all or nothing: the warning fails the query (Thanos' rule for store warnings)
        var strict = ServiceProcess.get(stack.querier().url() + "/api/v1/query_range?query=it_requests_total&start=" + seconds(T0) + "&end="
                + seconds(END) + "&step=300&partial_response=false");
        assertThat(strict.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(strict.body()).path("errorType").asText()).isEqualTo("execution");
        assertThat(JSON.readTree(strict.body()).path("error").asText()).contains("corrupted block ");

        // the querier's stores page: the gateway's damaged blocks, from its Info
        await("the stores page lists the damaged blocks").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> corruptedOnStoresPage(stack).size() == 3);
        assertThat(corruptedOnStoresPage(stack)).containsExactlyInAnyOrderElementsOf(damaged);

        // the compactor marks the damaged blocks no-compact and compacts the rest around them
        List<BlockEvent> events = new CopyOnWriteArrayList<>();
        Compactor compactor = new Compactor(stack.bucket(), CompactorOptions.defaults(work.resolve(backend + "-compactor"))
                .withDelays(Duration.ZERO, Duration.ofHours(48)).withDownsampling(false), events::add, new CompactorMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
        Compactor.SyncReport report = compactor.sync(group -> true, () -> true);
        assertThat(report.failedGroups()).isEmpty();
        assertThat(report.compactions()).isEqualTo(2); // [2h, 8h) and [8h, 12h): the damaged blocks split their ranges
        var snapshot = new io.gauntlet.compact.BucketScan(stack.bucket()).scan();
        assertThat(snapshot.noCompactMarks().keySet()).extracting(Ulid::toString).containsExactlyInAnyOrderElementsOf(damaged);
        assertThat(snapshot.noCompactMarks().values()).extracting(NoCompactMark::reason)
                .containsExactlyInAnyOrder("corrupted-checksum", "corrupted-missing-file", "corrupted-truncated");
        assertThat(events).filteredOn(e -> e.type() == BlockEventType.MARKED_NO_COMPACT).extracting(BlockEvent::ulid)
                .containsExactlyInAnyOrderElementsOf(damaged);
        long healthySamples = HEALTHY.stream().mapToLong(i -> meta(localBlocks.get(i)).stats().numSamples()).sum();
        long visibleSamples = snapshot.metas().values().stream()
                .filter(meta -> !snapshot.deletionMarks().containsKey(meta.ulid()) && !snapshot.noCompactMarks().containsKey(meta.ulid()))
                .mapToLong(meta -> meta.stats().numSamples()).sum();
        assertThat(visibleSamples).isEqualTo(healthySamples);
    }

    private static List<String> corruptedOnStoresPage(Stack stack) throws IOException {
        List<String> ids = new ArrayList<>();
        JsonNode stores = JSON.readTree(ServiceProcess.get(stack.querier().url() + "/api/v1/stores").body()).path("data");
        for (JsonNode type : stores) {
            for (JsonNode store : type) {
                for (JsonNode block : store.path("corruptedBlocks")) {
                    ids.add(block.path("ulid").asText());
                }
            }
        }
        return ids;
    }

    private static double gatewayMetric(Stack stack, String series) throws IOException {
        String metrics = ServiceProcess.get(stack.gateway().url() + "/metrics").body();
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{\\})? (\\S+)$").matcher(metrics);
        assertThat(line.find()).as(series + " in the gateway's /metrics").isTrue();
        return Double.parseDouble(line.group(1));
    }

    private record Answer(Map<String, TreeMap<Long, String>> matrix, List<String> warnings) {
    }

    /** A range query at a 5m step; the querier's external label is dropped (Prometheus has none). */
    private static Answer rangeQuery(String base, String query, long start, long end, String extra) throws IOException {
        String url = base + "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + seconds(start)
                + "&end=" + seconds(end) + "&step=300" + extra;
        var response = ServiceProcess.get(url);
        assertThat(response.statusCode()).as(url + " → " + response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        Map<String, TreeMap<Long, String>> series = new TreeMap<>();
        for (JsonNode one : body.path("data").path("result")) {
            TreeMap<String, String> labels = new TreeMap<>();
            one.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            labels.remove("cluster");
            TreeMap<Long, String> points = new TreeMap<>();
            for (JsonNode point : one.path("values")) {
                points.put(point.get(0).asLong(), point.get(1).asText());
            }
            series.put(labels.toString(), points);
        }
        List<String> warnings = new ArrayList<>();
        body.path("warnings").forEach(w -> warnings.add(w.asText()));
        return new Answer(series, warnings);
    }

    private static String seconds(long millis) {
        return millis / 1000 + "." + String.format("%03d", millis % 1000);
    }

    /** Three counters and three gauges, a sample a minute, 7 s past it: integers and quarters, exact in any sum. */
    private static SampleSet generate() {
        Random random = new Random(20261207);
        int n = (int) ((END - T0) / 60_000);
        List<SampleSet.Series> out = new ArrayList<>();
        for (String instance : List.of("a", "b", "c")) {
            long[] ts = new long[n];
            double[] counter = new double[n];
            double[] gauge = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                ts[i] = T0 + 7_000 + i * 60_000L;
                total = i == n / 2 ? 0 : total + random.nextInt(20);
                counter[i] = total;
                gauge[i] = random.nextInt(400) / 4.0;
            }
            out.add(new SampleSet.Series(Labels.of("__name__", "it_requests_total", "instance", instance, "job", "api"), ts, counter));
            out.add(new SampleSet.Series(Labels.of("__name__", "it_temperature_celsius", "instance", instance, "job", "api"), ts, gauge));
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()));
        return new SampleSet(out);
    }

    private static BlockMeta meta(Path block) {
        try {
            return BlockMeta.read(block);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Bucket bucket, String object) throws IOException {
        try (InputStream in = bucket.get(object)) {
            return in.readAllBytes();
        }
    }
}
