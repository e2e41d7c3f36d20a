package io.gauntlet.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockQuerier;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeder's profiles: the same samples as promtool's blocks of the same text, and data shaped as the rules expect. */
class SeedHistoryTest {
    /** 2026-11-30T00:00Z, a fixed end so every run seeds the same history. */
    private static final long END = 1_764_460_800_000L;
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path directory;

    /** A few hours of a few targets in 2-hour blocks; every node reboots once or twice (counter reset, target down, staleness). */
    static Seeder.Options small(Profile profile, List<String> replicas, int instances, int hours) {
        return new Seeder.Options(profile, instances, END - hours * HOUR, END, profile.defaultScrapeInterval(), 7, Map.of("cluster", "test"),
                "prometheus_replica", replicas, 2 * HOUR, 1);
    }

    @Test
    void nodeExporterBlocksHoldTheSamplesPromtoolMakesOfTheSameOpenMetrics() throws Exception {
        Seeder.Options options = small(new NodeExporterProfile(), List.of("a"), 1, 12);
        Path ours = Files.createDirectories(directory.resolve("ours"));
        Seeder.Summary summary = Seeder.run(options, directory.resolve("scratch"), (replica, meta, block) ->
                Files.move(block, ours.resolve(meta.ulid().toString())), (done, total, samples) -> { });
        assertThat(summary.blocks()).isEqualTo(6);
        Path text = directory.resolve("node.om");
        try (Writer out = Files.newBufferedWriter(text, StandardCharsets.UTF_8)) {
            OpenMetricsExport.write(options, 0, out);
        }
        Path promtoolOut = directory.resolve("promtool");
        PrometheusTool.createBlocks(text, promtoolOut);

        Map<String, List<String>> mine = samples(blocks(ours));
        Map<String, List<String>> promtool = samples(blocks(promtoolOut));
        // staleness markers cannot be written in OpenMetrics: ours has them where a rebooting node stopped answering
        int stale = 0;
        for (List<String> list : mine.values()) {
            int before = list.size();
            list.removeIf(s -> s.endsWith(" stale"));
            stale += before - list.size();
        }
        assertThat(stale).as("staleness markers where a node went down").isPositive();
        assertThat(mine.keySet()).isEqualTo(promtool.keySet());
        assertThat(mine.keySet()).hasSize(summary.seriesPerReplica());
        for (String series : mine.keySet()) {
            assertThat(mine.get(series)).as(series).isEqualTo(promtool.get(series));
        }
        long total = mine.values().stream().mapToLong(List::size).sum();
        assertThat(total).isGreaterThan(250_000);
    }

    @Test
    void bothReplicasHoldTheSameSeriesScrapedApartEachMissingHoursElsewhere() throws Exception {
        Seeder.Options options = small(new NodeExporterProfile(), List.of("a", "b"), 1, 30);
        Map<String, Path> byReplica = new TreeMap<>();
        Seeder.run(options, directory.resolve("scratch"), (replica, meta, block) -> {
            assertThat(meta.thanos().labels()).containsEntry("prometheus_replica", replica).containsEntry("cluster", "test");
            assertThat(meta.thanos().source()).isEqualTo("seed");
            Path target = Files.createDirectories(directory.resolve(replica)).resolve(meta.ulid().toString());
            Files.move(block, target);
            byReplica.put(replica, target.getParent());
        }, (done, total, samples) -> { });
        Map<String, List<String>> a = samples(blocks(byReplica.get("a")));
        Map<String, List<String>> b = samples(blocks(byReplica.get("b")));
        assertThat(a.keySet()).isEqualTo(b.keySet());
        String load = a.keySet().stream().filter(s -> s.startsWith("node_load1{")).findFirst().orElseThrow();
        long firstA = Long.parseLong(a.get(load).getFirst().split(" ")[0]);
        long firstB = Long.parseLong(b.get(load).getFirst().split(" ")[0]);
        assertThat(firstB - firstA).isEqualTo(options.offset(1)).isBetween(1L, options.scrapeInterval() - 1);
        // each replica misses 3 hours (a tenth of 30 h) at its own place; together they miss none
        Set<Long> times = new HashSet<>();
        for (List<String> replica : List.of(a.get(load), b.get(load))) {
            for (String sample : replica) {
                times.add(Math.floorDiv(Long.parseLong(sample.split(" ")[0]), options.scrapeInterval()));
            }
        }
        long scrapes = 30 * HOUR / options.scrapeInterval();
        assertThat(a.get(load).size()).isLessThan((int) (scrapes * 0.92));
        assertThat(b.get(load).size()).isLessThan((int) (scrapes * 0.92));
        assertThat(times.size()).isGreaterThan((int) (scrapes * 0.99));
    }

    @Test
    void everyProfileSeedsDistinctSeriesWithCumulativeHistograms() throws Exception {
        for (Profile profile : Profile.ALL) {
            Seeder.Options options = small(profile, List.of("a"), 2, 30);
            assertThat(Seeder.labels(options)).as(profile.name()).doesNotHaveDuplicates().isNotEmpty();
        }
        // the kube profile's pods come and go: more pods over the history than at any one time
        Seeder.Options kube = new Seeder.Options(new KubeProfile(), 4, END - 7 * 24 * HOUR, END, 30_000, 7, Map.of(), "prometheus_replica",
                List.of("a"), 2 * HOUR, 1);
        long pods = Seeder.labels(kube).stream().filter(l -> l.get("__name__").equals("kube_pod_info")).count();
        assertThat(pods).isGreaterThan(2 * Seeder.labels(kube).stream().filter(l -> l.get("__name__").equals("kube_deployment_spec_replicas"))
                .count());
        // demo: for every label set, a larger bucket bound never counts fewer requests, and +Inf equals _count
        Path demo = Files.createDirectories(directory.resolve("demo"));
        Seeder.run(small(new DemoProfile(), List.of("a"), 1, 6), directory.resolve("scratch"), (replica, meta, block) ->
                Files.move(block, demo.resolve(meta.ulid().toString())), (done, total, samples) -> { });
        Map<String, List<String>> samples = samples(blocks(demo));
        Map<String, TreeMap<Double, String>> buckets = new TreeMap<>();
        for (String series : samples.keySet()) {
            if (series.startsWith("demo_api_request_duration_seconds_bucket{")) {
                String le = series.replaceAll(".*le=\"([^\"]*)\".*", "$1");
                String group = series.replaceAll("(, )?le=\"[^\"]*\"", "");
                buckets.computeIfAbsent(group, g -> new TreeMap<>()).put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), series);
            }
        }
        assertThat(buckets).hasSize(11); // 5 routes with 200 and 500, one with 404
        for (TreeMap<Double, String> group : buckets.values()) {
            List<String> previous = null;
            for (String series : group.values()) {
                List<String> current = samples.get(series);
                if (previous != null) {
                    for (int i = 0; i < current.size(); i++) {
                        assertThat(value(current.get(i))).isGreaterThanOrEqualTo(value(previous.get(i)));
                    }
                }
                previous = current;
            }
        }
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Profile.named("nodes")).hasMessageContaining("unknown seed profile 'nodes'").hasMessageContaining("node-exporter");
        assertThatThrownBy(() -> SeedHistory.parseDuration("30 days")).hasMessageContaining("30d");
        assertThatThrownBy(() -> new Seeder.Options(new NodeExporterProfile(), 1, 0, HOUR, 7_000, 1, Map.of(), "r", List.of("a"), 2 * HOUR, 1))
                .hasMessageContaining("divide the block range");
    }

    private static double value(String sample) {
        return Double.parseDouble(sample.split(" ")[1]);
    }

    static List<Path> blocks(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> Files.exists(p.resolve(BlockMeta.FILE))).sorted().toList();
        }
    }

    /** Every series' samples as "timestamp value" strings (staleness markers as "timestamp stale"). */
    static Map<String, List<String>> samples(List<Path> blocks) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        try (BlockQuerier querier = BlockQuerier.open(blocks, Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = querier.select(true, null, List.of(LabelMatcher.of(LabelMatcher.Type.REGEX, "__name__", ".+")));
            SampleIterator it = null;
            while (set.next()) {
                Labels labels = set.at().labels();
                List<String> list = out.computeIfAbsent(labels.toString(), k -> new ArrayList<>());
                it = set.at().iterator(it);
                while (it.next()) {
                    double v = it.value();
                    list.add(it.timestamp() + " " + (Double.doubleToRawLongBits(v) == Seeder.STALE_NAN ? "stale" : Double.toString(v)));
                }
            }
        }
        return out;
    }
}
