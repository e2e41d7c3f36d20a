package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.bucketstore.BlockFixtures.Sample;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.StoreLimitExceededException;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.index.PromtoolBlocks;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks made by promtool and by Gauntlet's BlockWriter, uploaded to s3proxy with Thanos metas: the store answers
 * exactly what {@code promtool tsdb dump} prints for many matchers and time ranges cutting blocks.
 */
class BucketStoreTest {
    static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;

    @TempDir
    static Path work;
    static Bucket bucket;
    static BucketStore store;
    /** cluster label value → directory of its blocks (what promtool dumps). */
    static final Map<String, Path> GROUPS = new LinkedHashMap<>();

    @BeforeAll
    static void uploadBlocks() throws Exception {
        Promtool promtool = Promtool.require();
        bucket = BucketFactory.create(BucketConfig.s3(S3ProxyFixture.shared().newBucket("bucketstore")));
        // a: promtool block with awkward label values (unicode, quotes, newlines)
        PromtoolBlocks.Block a = PromtoolBlocks.create(Files.createDirectories(work.resolve("a")), 11, 400);
        GROUPS.put("a", a.directory().getParent());
        // b: promtool backfill of 6h of node/web metrics → several 2h blocks
        Path bInput = Files.createDirectories(work.resolve("b")).resolve("input.om");
        new OpenMetricsGenerator(7, 64, 8, 3, START, 6 * 3_600_000L, 15_000).write(bInput);
        List<Path> bBlocks = promtool.createBlocksFromOpenMetrics(bInput, work.resolve("b/blocks"));
        assertThat(bBlocks).hasSizeGreaterThan(2);
        GROUPS.put("b", work.resolve("b/blocks"));
        // c: a block written by Gauntlet
        Path cBlocks = Files.createDirectories(work.resolve("c/blocks"));
        writeGauntletBlock(cBlocks);
        GROUPS.put("c", cBlocks);
        for (Map.Entry<String, Path> group : GROUPS.entrySet()) {
            try (Stream<Path> dirs = Files.list(group.getValue())) {
                for (Path dir : dirs.filter(d -> Files.exists(d.resolve("meta.json"))).toList()) {
                    BlockFixtures.upload(bucket, dir, Map.of("cluster", group.getKey(), "replica", "0"), 0);
                }
            }
        }
        bucket.upload("debug/metas/x.json", new java.io.ByteArrayInputStream(new byte[] {'{', '}'}), 2); // not a block: ignored
        store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")));
        store.sync();
    }

    static void writeGauntletBlock(Path parent) throws IOException {
        Random random = new Random(5);
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            series.add(Labels.of("__name__", i % 2 == 0 ? "gauntlet_written" : "up", "job", "gauntlet", "pod", "pod-" + i));
        }
        series.sort(io.gauntlet.tsdb.index.Utf8Order::compare);
        try (BlockWriter writer = BlockWriter.create(parent, START, START + 7_200_000L)) {
            for (Labels labels : series) {
                int n = 100 + random.nextInt(400);
                long[] ts = new long[n];
                double[] values = new double[n];
                for (int s = 0; s < n; s++) {
                    ts[s] = START + s * 14_000L + random.nextInt(500);
                    values[s] = random.nextInt(5) == 0 ? random.nextGaussian() * 1e6 : s;
                }
                writer.addSeries(labels, ts, values, n);
            }
            writer.commit();
        }
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
        if (bucket != null) {
            bucket.close();
        }
    }

    static List<LabelMatcher> m(LabelMatcher... matchers) {
        return List.of(matchers);
    }

    @Test
    void loadsEveryCompleteBlockAndIgnoresOtherEntries() {
        int blocks = 1 + (int) GROUPS.values().stream().mapToLong(BucketStoreTest::countBlocks).sum() - 1;
        assertThat(store.blocksLoaded()).isEqualTo(blocks);
        assertThat(store.stats().blockLoadFailures()).isZero();
        assertThat(store.info().labelSets()).containsExactly(Labels.of("cluster", "a", "replica", "0"),
                Labels.of("cluster", "b", "replica", "0"), Labels.of("cluster", "c", "replica", "0"));
    }

    static long countBlocks(Path dir) {
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(d -> Files.exists(d.resolve("meta.json"))).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void seriesMatchPromtoolDumpForManyMatchersAndTimeRanges() throws Exception {
        List<List<LabelMatcher>> cases = List.of(
                m(LabelMatcher.equal("__name__", "up")),
                m(LabelMatcher.regex("__name__", "http_.*|up"), LabelMatcher.notEqual("job", "api")),
                m(LabelMatcher.equal("job", "node"), LabelMatcher.equal("method", "")),
                m(LabelMatcher.notEqual("region", "")), // not =~".+": the installed tsdb LabelMatcher lets "." match a newline, 2.42 does not
                m(LabelMatcher.notRegex("region", "eu.*"), LabelMatcher.regex("__name__", ".+")),
                m(LabelMatcher.notEqual("env", "prod"), LabelMatcher.equal("__name__", "node_memory_bytes")),
                m(LabelMatcher.regex("method", "get|GET")),
                m(LabelMatcher.regex("__name__", ".*"), LabelMatcher.regex("job", ".+")),
                m(LabelMatcher.equal("job", "api"), LabelMatcher.equal("cluster", "a")),
                m(LabelMatcher.regex("cluster", "a|b"), LabelMatcher.equal("__name__", "up")),
                m(LabelMatcher.notEqual("cluster", "a"), LabelMatcher.regex("job", "n.*|g.*")),
                m(LabelMatcher.regex("instance", "10\\.0\\.1\\..*|host-1.*")),
                m(LabelMatcher.equal("nonexistent", "x")),
                m(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("nonexistent", "")),
                m(LabelMatcher.equal("le", "+Inf"), LabelMatcher.notRegex("instance", "web-1:.*")),
                m(LabelMatcher.equal("cluster", ""), LabelMatcher.equal("job", "web")),
                m(LabelMatcher.regex("mode", "idle|user"), LabelMatcher.regex("cpu", "1.?")));
        long[][] ranges = {
                {Long.MIN_VALUE / 2, Long.MAX_VALUE / 2},
                {START + 17 * 60_000L, START + 53 * 60_000L + 123},
                {START + 97 * 60_000L, START + 251 * 60_000L},
                {START + 5 * 3_600_000L + 1, START + 9 * 3_600_000L}};
        int nonEmpty = 0;
        for (List<LabelMatcher> matchers : cases) {
            for (long[] range : ranges) {
                Map<String, List<Sample>> actual = BlockFixtures.samplesByGroup(store.series(StoreQuery.of(range[0], range[1], matchers)),
                        "cluster", List.of("replica"), range[0], range[1]);
                Map<String, List<Sample>> expected = new java.util.TreeMap<>();
                for (Map.Entry<String, Path> group : GROUPS.entrySet()) {
                    List<LabelMatcher> indexMatchers = new ArrayList<>();
                    boolean groupMatches = true;
                    for (LabelMatcher matcher : matchers) {
                        if (matcher.name().equals("cluster")) {
                            groupMatches &= matcher.matches(group.getKey());
                        } else {
                            indexMatchers.add(matcher);
                        }
                    }
                    if (!groupMatches) {
                        continue;
                    }
                    List<Sample> dump = BlockFixtures.promtoolDump(group.getValue(), indexMatchers, range[0], range[1]);
                    if (!dump.isEmpty()) {
                        expected.put(group.getKey(), dump);
                    }
                }
                assertThat(actual.keySet()).as("%s in %d..%d", matchers, range[0], range[1]).isEqualTo(expected.keySet());
                for (String group : expected.keySet()) {
                    assertSameSamples(actual.get(group), expected.get(group), matchers + " in " + range[0] + ".." + range[1] + ", cluster " + group);
                }
                nonEmpty += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(nonEmpty).isGreaterThan(cases.size() * 2);
    }

    static void assertSameSamples(List<Sample> actual, List<Sample> expected, String what) {
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            if (!actual.get(i).equals(expected.get(i))) {
                java.util.LinkedHashSet<String> a = new java.util.LinkedHashSet<>();
                actual.forEach(x -> a.add(x.labels()));
                java.util.LinkedHashSet<String> e = new java.util.LinkedHashSet<>();
                expected.forEach(x -> e.add(x.labels()));
                java.util.LinkedHashSet<String> onlyA = new java.util.LinkedHashSet<>(a);
                onlyA.removeAll(e);
                java.util.LinkedHashSet<String> onlyE = new java.util.LinkedHashSet<>(e);
                onlyE.removeAll(a);
                throw new AssertionError(what + ": only in store " + onlyA + ", only in promtool " + onlyE + "; sample " + i + " differs: store " + actual.get(i) + ", promtool " + expected.get(i));
            }
        }
        assertThat(actual.size()).as(what + ": sample count").isEqualTo(expected.size());
    }

    /**
     * Blocks tell the label name lists of the series a query selected (external names included) before they are read,
     * so a store dropping replica labels knows how far a later series can sort back; with them, the deduplicated answer
     * over real blocks is still strictly sorted and has one series per rewritten label set.
     */
    @Test
    void blocksTellTheSelectedSeriesLabelNamesAndDroppingReplicaLabelsStaysSorted() throws Exception {
        StoreQuery everything = StoreQuery.of(Long.MIN_VALUE, Long.MAX_VALUE, m(LabelMatcher.regex("__name__", ".+")));
        java.util.Set<List<String>> names = new java.util.HashSet<>();
        java.util.TreeSet<Labels> rewritten = new java.util.TreeSet<>();
        ChunkSeriesSet read = store.series(everything);
        while (read.next()) {
            names.add(read.labels().names());
            rewritten.add(read.labels().without(List.of("replica", "pod")));
        }
        assertThat(store.series(everything).labelNameLists()).isEqualTo(names).contains(List.of("__name__", "cluster", "job", "pod", "replica"));
        assertThat(store.series(StoreQuery.of(Long.MIN_VALUE, Long.MAX_VALUE, m(LabelMatcher.equal("job", "gauntlet")))).labelNameLists())
                .containsExactly(List.of("__name__", "cluster", "job", "pod", "replica"));

        String name = io.grpc.inprocess.InProcessServerBuilder.generateName();
        io.grpc.Server server = io.grpc.inprocess.InProcessServerBuilder.forName(name).directExecutor()
                .addService(new io.gauntlet.store.StoreServer(store).storeService()).build().start();
        io.grpc.ManagedChannel channel = io.grpc.inprocess.InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            var request = io.gauntlet.proto.thanos.SeriesRequest.newBuilder().setMinTime(Long.MIN_VALUE).setMaxTime(Long.MAX_VALUE)
                    .addAllMatchers(io.gauntlet.store.StoreWire.toWireMatchers(everything.matchers()))
                    .addWithoutReplicaLabels("replica").addWithoutReplicaLabels("pod").build();
            List<Labels> answered = new ArrayList<>();
            io.gauntlet.proto.thanos.StoreGrpc.newBlockingStub(channel).series(request).forEachRemaining(response -> {
                if (response.hasSeries()) {
                    answered.add(io.gauntlet.store.StoreWire.fromWire(response.getSeries().getLabelsList()));
                }
            });
            assertThat(answered).containsExactlyElementsOf(rewritten);
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }

    @Test
    void labelNamesAndValues() throws Exception {
        List<String> names = store.labelNames(new LabelQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(), 0));
        assertThat(names).contains("__name__", "cluster", "replica", "job", "le", "pod", "region");
        assertThat(store.labelValues("cluster", new LabelQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(), 0))).containsExactly("a", "b", "c");
        assertThat(store.labelValues("job", new LabelQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.equal("cluster", "c")), 0)))
                .containsExactly("gauntlet");
        assertThat(store.labelValues("pod", new LabelQuery(Long.MIN_VALUE, Long.MAX_VALUE,
                List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.regex("pod", "pod-[12]")), 0))).containsExactly("pod-1");
        assertThat(store.labelNames(new LabelQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.equal("job", "gauntlet")), 0)))
                .containsExactly("__name__", "cluster", "job", "pod", "replica");
    }

    @Test
    void limitsNameTheLimit() throws Exception {
        try (BucketStore limited = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache-limited"))
                .withLimits(new StoreLimits(10, 0)))) {
            limited.sync();
            assertThatThrownBy(() -> drain(limited.series(StoreQuery.of(Long.MIN_VALUE, Long.MAX_VALUE, m(LabelMatcher.regex("__name__", ".+"))))))
                    .isInstanceOf(StoreLimitExceededException.class).hasMessageContaining("series limit");
        }
        // over gRPC the limit is RESOURCE_EXHAUSTED naming it
        try (BucketStore limited = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache-limited3"))
                .withLimits(new StoreLimits(10, 0)))) {
            limited.sync();
            String name = io.grpc.inprocess.InProcessServerBuilder.generateName();
            io.grpc.Server server = io.grpc.inprocess.InProcessServerBuilder.forName(name).directExecutor()
                    .addService(new io.gauntlet.store.StoreServer(limited).storeService()).build().start();
            io.grpc.ManagedChannel channel = io.grpc.inprocess.InProcessChannelBuilder.forName(name).directExecutor().build();
            try {
                var request = io.gauntlet.proto.thanos.SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE)
                        .addAllMatchers(io.gauntlet.store.StoreWire.toWireMatchers(m(LabelMatcher.regex("__name__", ".+")))).build();
                assertThatThrownBy(() -> io.gauntlet.proto.thanos.StoreGrpc.newBlockingStub(channel).series(request).forEachRemaining(r -> { }))
                        .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
                            assertThat(e.getStatus().getDescription()).contains("series limit").contains("10");
                        });
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }
        try (BucketStore limited = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache-limited2"))
                .withLimits(new StoreLimits(0, 1000)))) {
            limited.sync();
            assertThatThrownBy(() -> drain(limited.series(StoreQuery.of(Long.MIN_VALUE, Long.MAX_VALUE, m(LabelMatcher.equal("job", "gauntlet"))))))
                    .isInstanceOf(StoreLimitExceededException.class).hasMessageContaining("samples limit");
        }
    }

    static int drain(ChunkSeriesSet set) throws Exception {
        int n = 0;
        while (set.next()) {
            n++;
        }
        return n;
    }

    @Test
    void timeShardAndSelectorKeepOnlyTheirBlocks() {
        try (BucketStore shard = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache-shard"))
                .withTimeRange(TimeOrDuration.parse(java.time.Instant.ofEpochMilli(START + 4 * 3_600_000L).toString()), TimeOrDuration.MAX)
                .withSelector(List.of(LabelMatcher.regex("cluster", "b|c"))))) {
            shard.sync();
            assertThat(shard.loadedBlockIds()).isNotEmpty().allSatisfy(id -> assertThat(id).isNotNull());
            assertThat(shard.info().labelSets()).containsExactly(Labels.of("cluster", "b", "replica", "0"));
            assertThat(shard.info().minTime()).isGreaterThanOrEqualTo(START + 4 * 3_600_000L);
        }
        assertThat(TimeOrDuration.parse("-2w").resolve(1_000_000_000_000L)).isEqualTo(1_000_000_000_000L - 14 * 86_400_000L);
        assertThat(TimeOrDuration.parse("-1h30m").resolve(0)).isEqualTo(-5_400_000L);
        assertThatThrownBy(() -> TimeOrDuration.parse("yesterday")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
    }

    @Test
    void indexHeaderIsSmallerThanTheIndexAndReusedFromDisk() throws Exception {
        BlockMeta any = null;
        for (String id : store.loadedBlockIds()) {
            Path header = work.resolve("cache").resolve(id).resolve(IndexHeader.FILE);
            assertThat(header).exists();
            long indexSize = bucket.attributes(id + "/index").size();
            assertThat(Files.size(header)).isLessThan(indexSize);
        }
        // a second store on the same cache directory reads no index-header ranges again: ready at once
        try (BucketStore again = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            again.sync();
            assertThat(again.loadedBlockIds()).isEqualTo(store.loadedBlockIds());
        }
        assertThat(any).isNull();
    }
}
