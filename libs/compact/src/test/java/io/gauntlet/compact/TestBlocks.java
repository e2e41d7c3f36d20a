package io.gauntlet.compact;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Real blocks for compaction tests: scraped-looking series (15 s interval with jitter), counters and gauges. */
final class TestBlocks {
    static final long HOUR = 3_600_000L;

    private TestBlocks() {
    }

    /**
     * Writes a block of {@code seriesCount} series over [minTime, maxTime): series i exists when {@code (i + seed) % 7 != 0},
     * so blocks differ in their series sets; {@code jitter} shifts timestamps (HA replicas scrape at other moments).
     */
    static BlockMeta write(Path parent, long minTime, long maxTime, Map<String, String> externalLabels, int seriesCount, int seed, long jitter)
            throws IOException {
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(externalLabels, 0, "sidecar"));
        Random random = new Random(seed);
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < seriesCount; i++) {
            if ((i + seed) % 7 != 0) {
                series.add(Labels.of("__name__", i % 2 == 0 ? "requests_total" : "temperature", "instance", "host-" + i, "job", "test"));
            }
        }
        series.sort(io.gauntlet.tsdb.index.Utf8Order::compare);
        int capacity = (int) ((maxTime - minTime) / 15_000) + 2;
        long[] ts = new long[capacity];
        double[] vs = new double[capacity];
        try (BlockWriter writer = BlockWriter.create(parent, minTime, maxTime, options)) {
            for (Labels labels : series) {
                boolean counter = labels.get("__name__").equals("requests_total");
                int n = 0;
                double value = counter ? random.nextInt(100) : 20;
                for (long t = minTime + jitter + random.nextInt(1000); t < maxTime; t += 15_000) {
                    ts[n] = t;
                    if (counter) {
                        value = random.nextInt(500) == 0 ? random.nextInt(10) : value + random.nextInt(10);
                    } else {
                        value = 20 + 5 * Math.sin(t / 600_000.0) + random.nextGaussian();
                    }
                    vs[n++] = value;
                }
                writer.addSeries(labels, ts, vs, n);
            }
            return writer.commit();
        }
    }

    /** Every sample of a block (or several), by series, as "t=v" strings in time order, for exact comparison. */
    static Map<String, List<String>> samples(List<Path> blocks) throws Exception {
        Map<String, List<String>> all = new TreeMap<>();
        for (Path block : blocks) {
            try (BlockReader reader = BlockReader.open(block)) {
                SeriesSet set = reader.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                SampleIterator it = null;
                while (set.next()) {
                    List<String> list = all.computeIfAbsent(set.at().labels().toString(), key -> new ArrayList<>());
                    it = set.at().iterator(it);
                    while (it.next()) {
                        list.add(it.timestamp() + "=" + Double.doubleToRawLongBits(it.value()));
                    }
                }
            }
        }
        all.values().forEach(list -> list.sort(java.util.Comparator.comparingLong(s -> Long.parseLong(s.substring(0, s.indexOf('='))))));
        return all;
    }

    static void upload(Bucket bucket, Path blockDirectory, BlockMeta meta) throws IOException {
        BlockTransfer.upload(bucket, blockDirectory, meta.ulid());
    }
}
