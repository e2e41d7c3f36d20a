package io.gauntlet.seed;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The history seeder's command line ({@code ./gauntlet up --seed-history 30d --seed-profile node-exporter}): writes the
 * blocks of both replicas, uploads each as the shipper does (chunks and index first, {@code meta.json} last), announces
 * it with an {@code uploaded} block event so the compactor compacts and downsamples it at once, and keeps a progress
 * file that {@code status} turns into progress bars. {@code --block-range} is the length of each block (2 days by
 * default; the chaos soak writes one 10-day block, long enough to be downsampled to 5m and then to 1h).
 *
 * <pre>
 * SeedHistory --objstore-config-file objstore.yml --duration 30d [--profile node-exporter] [--instances N]
 *             [--scrape-interval 30s] [--external-labels cluster=local] [--replica-label prometheus_replica]
 *             [--replicas a,b] --scratch /tmp/seed [--end-ms N] [--kafka-bootstrap host:port] [--topic gauntlet.blocks]
 *             [--kafka-properties client.properties] [--block-range 2d]
 *             [--progress-file seed.progress]
 * SeedHistory status --progress-file seed.progress --objstore-config-file objstore.yml
 * </pre>
 */
public final class SeedHistory {
    private SeedHistory() {
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args.length > 0 && args[0].equals("status")) {
                SeedStatus.print(parseOptions(java.util.Arrays.copyOfRange(args, 1, args.length)));
                return;
            }
            seed(parseOptions(args));
        } catch (IllegalArgumentException e) {
            System.err.println("seed: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void seed(Map<String, String> options) throws IOException, InterruptedException {
        Path objstore = Path.of(required(options, "objstore-config-file"));
        Seeder.Options seed = seederOptions(options);
        Profile profile = seed.profile();
        int instances = seed.instances();
        long interval = seed.scrapeInterval();
        Path scratch = Path.of(required(options, "scratch"));
        Path progressFile = options.containsKey("progress-file") ? Path.of(options.get("progress-file")) : null;
        String bootstrap = options.get("kafka-bootstrap");
        long startedAt = System.currentTimeMillis();
        System.out.printf("seeding %s of %s history: %d instances, one sample every %d s, replicas %s%n",
                options.get("duration"), profile.name(), instances, interval / 1000, seed.replicas());
        writeProgress(progressFile, seed, "seeding", 0, 0, 0, startedAt);
        // a SASL_SSL handshake on a loaded machine takes seconds: 30 s for the first metadata, the file may say otherwise
        Map<String, Object> producer = new HashMap<>(Map.of("max.block.ms", 30_000, "delivery.timeout.ms", 60_000, "request.timeout.ms", 20_000));
        producer.putAll(kafkaClientProperties(options.get("kafka-properties")));
        producer.put("bootstrap.servers", bootstrap == null ? "" : bootstrap);
        try (Bucket bucket = BucketFactory.create(BucketConfig.load(objstore));
                BlockEventPublisher events = bootstrap == null ? null : BlockEventPublisher.create(producer, options.getOrDefault("topic",
                        BlockEventPublisher.DEFAULT_TOPIC))) {
            int[] unannounced = {0};
            Seeder.Summary summary = Seeder.run(seed, scratch, (replica, meta, block) -> {
                // as the compactor uploads its blocks: chunks and index first, meta.json (with upload_time) last
                BlockTransfer.upload(bucket, block, meta.ulid());
                BlockTransfer.deleteRecursively(block);
                // after one event Kafka did not take, the rest are not tried (each would wait for the broker again)
                if (events != null && (unannounced[0] > 0 || !announce(events, meta))) {
                    unannounced[0]++;
                }
            }, (done, total, samples) -> {
                writeProgress(progressFile, seed, done == total ? "done" : "seeding", done, total, samples, startedAt);
                System.out.printf("  %d/%d blocks, %,d samples, %.0f s%n", done, total, samples, (System.currentTimeMillis() - startedAt) / 1000.0);
            });
            System.out.printf("seeded %d blocks (%s, %d series per replica, %,d samples) in %.0f s into %s%s%n", summary.blocks(), profile.name(),
                    summary.seriesPerReplica(), summary.samples(), (System.currentTimeMillis() - startedAt) / 1000.0, objstore,
                    unannounced[0] == 0 ? "" : "; " + unannounced[0] + " block events could not be sent (the compactor finds those blocks on its next bucket scan)");
        }
    }

    /**
     * What the command line seeds: also what a check of the seeded history regenerates ({@code --end-ms} given, the same
     * arguments give the same samples).
     */
    public static Seeder.Options seederOptions(Map<String, String> options) {
        Duration duration = parseDuration(required(options, "duration"));
        Profile profile = Profile.named(options.getOrDefault("profile", "node-exporter"));
        int instances = Integer.parseInt(options.getOrDefault("instances", Integer.toString(profile.defaultInstances())));
        long interval = options.containsKey("scrape-interval") ? parseDuration(options.get("scrape-interval")).toMillis() : profile.defaultScrapeInterval();
        long end = Long.parseLong(options.getOrDefault("end-ms", Long.toString(System.currentTimeMillis() / 60_000 * 60_000)));
        return new Seeder.Options(profile, instances, end - duration.toMillis(), end, interval, 42,
                parseLabels(options.getOrDefault("external-labels", "")), options.getOrDefault("replica-label", "prometheus_replica"),
                List.of(options.getOrDefault("replicas", "a,b").split(",")), parseDuration(options.getOrDefault("block-range", "2d")).toMillis(), 3);
    }

    /** The Kafka client's security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) from a properties file, if given. */
    private static Map<String, Object> kafkaClientProperties(String file) throws IOException {
        Map<String, Object> config = new HashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                properties.load(reader);
            }
            properties.forEach((key, value) -> config.put(key.toString(), value));
        }
        return config;
    }

    /** Publishes the block's uploaded event; false (with the reason on stderr) when Kafka does not take it. */
    private static boolean announce(BlockEventPublisher events, BlockMeta meta) throws IOException {
        BlockMeta.Thanos thanos = meta.thanos();
        BlockEvent event = BlockEvent.of(BlockEventType.UPLOADED, meta.ulid().toString(), meta.minTime(), meta.maxTime(),
                Labels.fromMap(thanos.labels()), 0, meta.compaction().level(), meta.compaction().sources().stream().map(Object::toString).toList(),
                new BlockStats(meta.stats().numSamples(), meta.stats().numSeries(), meta.stats().numChunks()), "gauntlet/seed");
        try {
            events.publish(event).get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("seed: the event of block " + meta.ulid() + " was not sent: " + (e.getCause() == null ? e : e.getCause()));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while announcing block " + meta.ulid());
        }
    }

    /** The progress file {@code status} reads: a properties file replaced atomically. */
    private static void writeProgress(Path file, Seeder.Options seed, String phase, int done, int total, long samples, long startedAt) {
        if (file == null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("phase", phase);
        p.setProperty("profile", seed.profile().name());
        p.setProperty("instances", Integer.toString(seed.instances()));
        p.setProperty("start_ms", Long.toString(seed.start()));
        p.setProperty("end_ms", Long.toString(seed.end()));
        p.setProperty("blocks_done", Integer.toString(done));
        p.setProperty("blocks_total", Integer.toString(total));
        p.setProperty("samples", Long.toString(samples));
        p.setProperty("started_ms", Long.toString(startedAt));
        p.setProperty("updated_ms", Long.toString(System.currentTimeMillis()));
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            try (var out = Files.newOutputStream(next)) {
                p.store(out, "gauntlet history seeding");
            }
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("seed: cannot write the progress file " + file + ": " + e);
        }
    }

    static Properties readProgress(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    public static Map<String, String> parseOptions(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}, {@code 15s}. */
    public static Duration parseDuration(String text) {
        if (!text.matches("[1-9][0-9]*[smhdw]")) {
            throw new IllegalArgumentException("duration must look like 30d, 12h, 90m, 2w or 15s, got '" + text + "'");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    static Map<String, String> parseLabels(String text) {
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
