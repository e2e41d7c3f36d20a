package io.gauntlet.seed;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.index.Utf8Order;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the history of an HA Prometheus pair as blocks: one set of blocks per replica with the replica's external
 * labels, the same series and values in both, scraped a few seconds apart, each replica missing a few hours at a
 * different place (so a deduplicated query has no gap where one replica has one). Series that stop being scraped (a
 * target rebooting, a pod deleted) get Prometheus' staleness marker at the next scrape, as Prometheus writes it.
 *
 * <p>The library entry point for benchmarks: {@link #run} with a {@link BlockSink} that keeps the blocks where the
 * benchmark wants them; {@code SeedHistory} is the command line that uploads them with their events.
 */
public final class Seeder {
    /** Prometheus' staleness marker: a NaN with this bit pattern. */
    public static final long STALE_NAN = 0x7ff0000000000002L;

    /**
     * What to seed.
     *
     * @param blockRange      length of each block (ms): 2 days by default, Thanos' third compaction level, so the
     *                        compactor downsamples them at once
     * @param compactionLevel the level written into each block's meta.json (3 for 2-day blocks, 1 for 2-hour ones)
     */
    public record Options(Profile profile, int instances, long start, long end, long scrapeInterval, long seed,
                          Map<String, String> externalLabels, String replicaLabel, List<String> replicas, long blockRange, int compactionLevel) {
        public Options {
            Objects.requireNonNull(profile, "profile");
            if (instances < 1) {
                throw new IllegalArgumentException("instances must be at least 1, got " + instances);
            }
            if (scrapeInterval < 1000 || blockRange % scrapeInterval != 0) {
                throw new IllegalArgumentException("the scrape interval must be at least 1s and divide the block range, got " + scrapeInterval + " ms");
            }
            if (end <= start) {
                throw new IllegalArgumentException("the history must end after it starts");
            }
            externalLabels = Map.copyOf(externalLabels);
            replicas = List.copyOf(replicas);
            if (replicas.isEmpty()) {
                throw new IllegalArgumentException("at least one replica");
            }
        }

        /** 2-day blocks of level 3, replicas {@code a} and {@code b} under {@code prometheus_replica}. */
        public static Options of(Profile profile, int instances, long start, long end, Map<String, String> externalLabels) {
            return new Options(profile, instances, start, end, profile.defaultScrapeInterval(), 42, externalLabels, "prometheus_replica",
                    List.of("a", "b"), 2 * Processes.DAY, 3);
        }

        /** How many ms after the shared scrape time replica {@code r} scrapes (less than one interval). */
        long offset(int replica) {
            return Math.round(replica * scrapeInterval * 0.23) % scrapeInterval;
        }

        /** Start of the hours replica {@code r} was down (it misses six hours, or a tenth of a shorter history). */
        long gapStart(int replica) {
            return start + (replica + 1) * (end - start) / (replicas.size() + 1);
        }

        long gapLength() {
            return Math.min(6 * 3_600_000L, (end - start) / 10);
        }
    }

    /** Receives each finished block (its directory is the sink's to move or delete). */
    public interface BlockSink {
        void accept(String replica, BlockMeta meta, Path blockDirectory) throws IOException;
    }

    /** Told after each block. */
    public interface Progress {
        void blockWritten(int done, int total, long samples);
    }

    /** What was seeded. */
    public record Summary(int blocks, int seriesPerReplica, long samples) {
    }

    private Seeder() {
    }

    /** The profile's series, sorted as a block's index lists them; two series with the same labels are refused. */
    public static List<SyntheticSeries> sortedSeries(Options options) {
        List<SyntheticSeries> series = new ArrayList<>(options.profile().series(options.instances(), options.start(), options.end(),
                options.scrapeInterval(), options.seed()));
        series.sort((x, y) -> Utf8Order.compare(x.labels(), y.labels()));
        for (int i = 1; i < series.size(); i++) {
            if (series.get(i).labels().equals(series.get(i - 1).labels())) {
                throw new IllegalStateException("profile " + options.profile().name() + " made two series " + series.get(i).labels());
            }
        }
        return series;
    }

    /** Receives the generated samples window by window; within a window, series in index order. */
    public interface SampleVisitor {
        /** A new block window {@code [minTime, maxTime)} starts. */
        void startWindow(long minTime, long maxTime) throws IOException;

        /** The samples of one series of one replica in the current window ({@code count} of them, in time order). */
        void series(int replica, SyntheticSeries series, long[] timestamps, double[] values, int count) throws IOException;

        /** The current window is complete. */
        void endWindow() throws IOException;
    }

    /** Generates every sample of every replica, window after window (oldest first), for {@code visitor}. */
    public static void generate(Options options, SampleVisitor visitor) throws IOException {
        generate(options, sortedSeries(options), visitor);
    }

    /** {@link #generate(Options, SampleVisitor)} over series already made by {@link #sortedSeries} (each used once: they keep state). */
    private static void generate(Options options, List<SyntheticSeries> series, SampleVisitor visitor) throws IOException {
        long interval = options.scrapeInterval();
        long start = Math.floorDiv(options.start() + interval - 1, interval) * interval;
        long end = Math.floorDiv(options.end(), interval) * interval;
        int replicas = options.replicas().size();
        boolean[] wasScraped = new boolean[series.size()];
        for (long blockStart = Math.floorDiv(start, options.blockRange()) * options.blockRange(); blockStart < end; blockStart += options.blockRange()) {
            long minTime = Math.max(blockStart, start);
            long maxTime = Math.min(blockStart + options.blockRange(), end);
            int points = (int) ((maxTime - minTime + interval - 1) / interval);
            double[] values = new double[points];
            boolean[] present = new boolean[points];
            long[] timestamps = new long[points];
            double[] replicaValues = new double[points];
            visitor.startWindow(minTime, maxTime);
            for (int s = 0; s < series.size(); s++) {
                SyntheticSeries one = series.get(s);
                boolean any = false;
                for (int k = 0; k < points; k++) {
                    long t = minTime + k * interval;
                    if (one.scrapedAt(t)) {
                        values[k] = one.process().next(t);
                        present[k] = true;
                        wasScraped[s] = true;
                        any = true;
                    } else if (wasScraped[s]) {
                        // the first scrape without the series: Prometheus marks it stale
                        values[k] = Double.longBitsToDouble(STALE_NAN);
                        present[k] = true;
                        wasScraped[s] = false;
                        any = true;
                    } else {
                        present[k] = false;
                    }
                }
                if (!any) {
                    continue;
                }
                for (int r = 0; r < replicas; r++) {
                    long offset = options.offset(r);
                    long gapStart = options.gapStart(r);
                    long gapEnd = gapStart + options.gapLength();
                    int count = 0;
                    for (int k = 0; k < points; k++) {
                        long t = minTime + k * interval + offset;
                        if (present[k] && (t < gapStart || t >= gapEnd)) {
                            timestamps[count] = t;
                            replicaValues[count] = values[k];
                            count++;
                        }
                    }
                    if (count > 0) {
                        visitor.series(r, one, timestamps, replicaValues, count);
                    }
                }
            }
            visitor.endWindow();
        }
    }

    /** Writes every block of every replica into {@code scratch} and hands each to {@code sink}, oldest first. */
    public static Summary run(Options options, Path scratch, BlockSink sink, Progress progress) throws IOException {
        Files.createDirectories(scratch);
        int replicas = options.replicas().size();
        long firstBlock = Math.floorDiv(options.start(), options.blockRange());
        long lastBlock = Math.floorDiv(options.end() - 1, options.blockRange());
        int total = (int) (lastBlock - firstBlock + 1) * replicas;
        List<SyntheticSeries> series = sortedSeries(options);
        List<BlockWriter> writers = new ArrayList<>();
        int[] done = {0};
        long[] samples = {0};
        try {
            generate(options, series, new SampleVisitor() {
                @Override
                public void startWindow(long minTime, long maxTime) throws IOException {
                    for (int r = 0; r < replicas; r++) {
                        Map<String, String> labels = new LinkedHashMap<>(options.externalLabels());
                        labels.put(options.replicaLabel(), options.replicas().get(r));
                        Ulid ulid = Ulid.generate();
                        writers.add(BlockWriter.create(scratch, minTime, maxTime, BlockWriter.Options.defaults().withUlid(ulid)
                                .withCompaction(BlockMeta.Compaction.of(options.compactionLevel(), List.of(ulid), List.of()))
                                .withThanos(BlockMeta.Thanos.of(labels, 0, "seed"))));
                    }
                }

                @Override
                public void series(int replica, SyntheticSeries series, long[] timestamps, double[] values, int count) throws IOException {
                    writers.get(replica).addSeries(series.labels(), timestamps, values, count);
                }

                @Override
                public void endWindow() throws IOException {
                    for (int r = 0; r < replicas; r++) {
                        BlockMeta meta = writers.get(r).commit();
                        samples[0] += meta.stats().numSamples();
                        sink.accept(options.replicas().get(r), meta, scratch.resolve(meta.ulid().toString()));
                        progress.blockWritten(++done[0], total, samples[0]);
                    }
                    for (BlockWriter writer : writers) {
                        writer.close();
                    }
                    writers.clear();
                }
            });
        } finally {
            for (BlockWriter writer : writers) {
                writer.close();
            }
        }
        return new Summary(done[0], series.size(), samples[0]);
    }

    /** The labels of every series a profile seeds (for documentation and tests). */
    public static List<Labels> labels(Options options) {
        return sortedSeries(options).stream().map(SyntheticSeries::labels).toList();
    }
}
