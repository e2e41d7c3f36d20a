package io.gauntlet.seed;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.index.Utf8Order;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes synthetic history of an HA Prometheus pair into a bucket: for each replica, 2-day blocks (Thanos' third
 * compaction range, so the compactor can downsample them at once) with the replica's external labels, one sample a
 * minute. Each replica misses six different hours, so a deduplicated query shows no gap where a single replica has
 * one. Blocks are written to a scratch directory and uploaded chunks first, {@code meta.json} last, as the shipper does.
 *
 * <pre>
 * SeedHistory --objstore-config-file objstore.yml --duration 30d --external-labels cluster=local
 *             --replica-label prometheus_replica --replicas a,b --scratch /tmp/seed [--end-ms N]
 * </pre>
 */
public final class SeedHistory {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long BLOCK_RANGE = 48 * HOUR;
    private static final long SCRAPE_INTERVAL = MINUTE;
    /** Thanos' compaction level of a block spanning 2 days (2h → 8h → 2d). */
    private static final int COMPACTION_LEVEL = 3;

    private SeedHistory() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parseOptions(args);
        Path objstore = Path.of(required(options, "objstore-config-file"));
        Duration duration = parseDuration(required(options, "duration"));
        Map<String, String> externalLabels = parseLabels(options.getOrDefault("external-labels", ""));
        String replicaLabel = options.getOrDefault("replica-label", "prometheus_replica");
        List<String> replicas = List.of(options.getOrDefault("replicas", "a,b").split(","));
        Path scratch = Path.of(required(options, "scratch"));
        long end = Long.parseLong(options.getOrDefault("end-ms", Long.toString(System.currentTimeMillis() / MINUTE * MINUTE)));
        long start = end - duration.toMillis();

        List<Labels> series = seriesLabels();
        int blocks = 0;
        long samples = 0;
        try (Bucket bucket = BucketFactory.create(BucketConfig.load(objstore))) {
            for (int r = 0; r < replicas.size(); r++) {
                Map<String, String> labels = new LinkedHashMap<>(externalLabels);
                labels.put(replicaLabel, replicas.get(r));
                long gapStart = start + (r + 1) * duration.toMillis() / (replicas.size() + 1);
                // blocks aligned to 2 days, like the compactor's, clipped to [start, end)
                for (long blockStart = Math.floorDiv(start, BLOCK_RANGE) * BLOCK_RANGE; blockStart < end; blockStart += BLOCK_RANGE) {
                    long minTime = Math.max(blockStart, start);
                    long maxTime = Math.min(blockStart + BLOCK_RANGE, end);
                    BlockMeta meta = writeBlock(scratch, series, labels, minTime, maxTime, r, gapStart);
                    if (meta == null) {
                        continue;
                    }
                    upload(bucket, scratch.resolve(meta.ulid().toString()), meta.ulid().toString());
                    blocks++;
                    samples += meta.stats().numSamples();
                }
            }
        }
        System.out.printf("seeded %d blocks (%d series per replica, %d samples) from %d to %d ms into %s%n", blocks, series.size(),
                samples, start, end, objstore);
    }

    private static BlockMeta writeBlock(Path scratch, List<Labels> series, Map<String, String> externalLabels, long minTime, long maxTime,
                                        int replica, long gapStart) throws IOException {
        Files.createDirectories(scratch);
        Ulid ulid = Ulid.generate();
        BlockWriter.Options options = BlockWriter.Options.defaults().withUlid(ulid)
                .withCompaction(BlockMeta.Compaction.of(COMPACTION_LEVEL, List.of(ulid), List.of()))
                .withThanos(BlockMeta.Thanos.of(externalLabels, 0, "seed"));
        // replicas scrape a few seconds apart, as two real Prometheus servers do
        long offset = replica * 7_000L;
        long first = Math.floorDiv(minTime + SCRAPE_INTERVAL - 1, SCRAPE_INTERVAL) * SCRAPE_INTERVAL + offset;
        int capacity = (int) ((maxTime - minTime) / SCRAPE_INTERVAL) + 1;
        long[] timestamps = new long[capacity];
        double[] values = new double[capacity];
        try (BlockWriter writer = BlockWriter.create(scratch, minTime, maxTime, options)) {
            for (int s = 0; s < series.size(); s++) {
                int count = 0;
                for (long t = first; t < maxTime; t += SCRAPE_INTERVAL) {
                    if (t >= gapStart && t < gapStart + 6 * HOUR) {
                        continue; // this replica was down
                    }
                    timestamps[count] = t;
                    values[count] = value(series.get(s), s, t);
                    count++;
                }
                writer.addSeries(series.get(s), timestamps, values, count);
            }
            return writer.commit();
        }
    }

    /** A counter that grows with a daily rhythm, or a gauge that swings daily; the same for both replicas. */
    private static double value(Labels labels, int seriesIndex, long t) {
        double day = 2 * Math.PI * (t % (24 * HOUR)) / (24 * HOUR);
        if (labels.get(Labels.METRIC_NAME).endsWith("_total")) {
            // the integral of a rate of (i + 1) × (1.5 + sin(day)) per second since 2023-11-14, so it never decreases
            double seconds = (t - 1_700_000_000_000L) / 1000.0;
            double daySeconds = 24 * HOUR / 1000.0;
            return Math.floor((seriesIndex + 1) * (1.5 * seconds - daySeconds / (2 * Math.PI) * Math.cos(day)));
        }
        return 20 + seriesIndex + 5 * Math.sin(day + seriesIndex);
    }

    private static List<Labels> seriesLabels() {
        List<Labels> series = new ArrayList<>();
        for (String service : List.of("api", "frontend", "storage")) {
            for (String code : List.of("200", "500")) {
                series.add(Labels.of(Labels.METRIC_NAME, "gauntlet_seed_http_requests_total", "job", "seed", "service", service, "code", code));
            }
        }
        for (String room : List.of("a", "b", "c", "d")) {
            series.add(Labels.of(Labels.METRIC_NAME, "gauntlet_seed_temperature_celsius", "job", "seed", "room", room));
        }
        series.sort(Utf8Order::compare);
        return series;
    }

    /** Chunks and index first, {@code meta.json} last: a reader never sees a block without all of its files. */
    private static void upload(Bucket bucket, Path block, String ulid) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(block)) {
            files = walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(BlockMeta.FILE))
                    .filter(f -> !f.getFileName().toString().equals("tombstones")).sorted().toList();
        }
        for (Path file : files) {
            bucket.upload(ulid + "/" + block.relativize(file).toString().replace('\\', '/'), file);
        }
        bucket.upload(ulid + "/" + BlockMeta.FILE, block.resolve(BlockMeta.FILE));
        try (Stream<Path> walk = Files.walk(block)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Map<String, String> parseOptions(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}. */
    static Duration parseDuration(String text) {
        if (!text.matches("[1-9][0-9]*[mhdw]")) {
            throw new IllegalArgumentException("duration must look like 30d, 12h, 90m or 2w, got '" + text + "'");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    private static Map<String, String> parseLabels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("external labels must be name=value,name=value, got '" + text + "'");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels;
    }
}
