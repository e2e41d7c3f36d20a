package io.gauntlet.seed;

import io.gauntlet.compact.BucketScan;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code ./gauntlet status}'s view of a seeding: how far the seeder is (blocks written, ETA) and how much of the seeded
 * time range the compactor has already downsampled to 5 m and 1 h (the share of the range the bucket's blocks of that
 * resolution cover).
 */
final class SeedStatus {
    private static final int BAR = 30;
    /** Thanos downsamples a raw block to 5m once it spans 40 h (libs/compact's Downsampling). */
    private static final long RAW_DOWNSAMPLE_SPAN = 40L * 3_600_000L;

    private SeedStatus() {
    }

    static void print(Map<String, String> options) throws IOException {
        Properties progress = SeedHistory.readProgress(Path.of(SeedHistory.required(options, "progress-file")));
        int done = Integer.parseInt(progress.getProperty("blocks_done", "0"));
        int total = Integer.parseInt(progress.getProperty("blocks_total", "0"));
        long started = Long.parseLong(progress.getProperty("started_ms"));
        long updated = Long.parseLong(progress.getProperty("updated_ms"));
        long start = Long.parseLong(progress.getProperty("start_ms"));
        long end = Long.parseLong(progress.getProperty("end_ms"));
        String phase = progress.getProperty("phase");
        String eta;
        if ("done".equals(phase)) {
            eta = "done in " + human(updated - started);
        } else if (done == 0) {
            eta = "starting";
        } else {
            eta = "ETA " + human((updated - started) * (total - done) / done);
        }
        System.out.printf("seeding     %s %3d%%  %d/%d blocks, %,d samples (%s, %s instances)  %s%n", bar(total == 0 ? 0 : (double) done / total),
                total == 0 ? 0 : done * 100 / total, done, total, Long.parseLong(progress.getProperty("samples", "0")), progress.getProperty("profile"),
                progress.getProperty("instances"), eta);
        Map<Long, List<long[]>> byResolution = new TreeMap<>();
        try (Bucket bucket = BucketFactory.create(BucketConfig.load(Path.of(SeedHistory.required(options, "objstore-config-file"))))) {
            BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
            snapshot.metas().forEach((ulid, meta) -> {
                if (!snapshot.deletionMarks().containsKey(ulid)) {
                    long resolution = meta.thanos() == null || meta.thanos().downsample() == null ? 0 : meta.thanos().downsample().resolution();
                    byResolution.computeIfAbsent(resolution, r -> new ArrayList<>()).add(new long[] {meta.minTime(), meta.maxTime()});
                }
            });
        }
        double fiveMinutes = coverage(byResolution.getOrDefault(300_000L, List.of()), start, end);
        double hour = coverage(byResolution.getOrDefault(3_600_000L, List.of()), start, end);
        // what can be at 5m now: the 5m blocks plus the raw blocks long enough to downsample (a range still in short blocks waits)
        List<long[]> downsamplable = new ArrayList<>(byResolution.getOrDefault(300_000L, List.of()));
        byResolution.getOrDefault(0L, List.of()).stream().filter(b -> b[1] - b[0] >= RAW_DOWNSAMPLE_SPAN).forEach(downsamplable::add);
        double reachable = coverage(downsamplable, start, end);
        // the compactor starts on the seeded blocks as their events arrive; timing it from the seeding's end errs on the long side
        String compactionEta = "done".equals(phase) ? compactionEta(System.currentTimeMillis() - updated, fiveMinutes, reachable) : "";
        System.out.printf("downsampled %s %3.0f%%  of the seeded range at 5m (%d blocks)  %s%n", bar(fiveMinutes), fiveMinutes * 100,
                byResolution.getOrDefault(300_000L, List.of()).size(), compactionEta);
        System.out.printf("            %s %3.0f%%  at 1h (%d blocks; only blocks compacted to 14 days get 1h data)%n", bar(hour), hour * 100,
                byResolution.getOrDefault(3_600_000L, List.of()).size());
    }

    /** The share of {@code [start, end)} the union of the intervals covers. */
    static double coverage(List<long[]> intervals, long start, long end) {
        List<long[]> sorted = new ArrayList<>(intervals);
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        long covered = 0;
        long reach = start;
        for (long[] interval : sorted) {
            long from = Math.max(interval[0], reach);
            long to = Math.min(interval[1], end);
            if (to > from) {
                covered += to - from;
                reach = to;
            }
        }
        return end > start ? (double) covered / (end - start) : 0;
    }

    /** The time left until all that can be downsampled to 5m ({@code reachable}) is, at the pace since the seeding ended. */
    static String compactionEta(long sinceSeeded, double downsampled, double reachable) {
        if (downsampled >= 0.995 || (downsampled > 0 && downsampled >= reachable - 0.001)) {
            return downsampled >= 0.995 ? "" : "done (the rest is in blocks under 40h)";
        }
        if (downsampled <= 0) {
            return "compactor working (" + human(sinceSeeded) + " so far)";
        }
        return "ETA " + human((long) (sinceSeeded * (reachable - downsampled) / downsampled));
    }

    static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }

    static String human(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? s / 3600 + "h" + (s % 3600) / 60 + "m" : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
    }
}
