package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.bucketstore.BlockFixtures.Sample;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block corruption fuzz on the store gateway's path: four small blocks in a bucket, and thousands of times one of
 * them damaged in the bucket (bytes flipped, the file cut short, deleted, its magic damaged, garbage appended; the index
 * or the chunk file, with a fixed seed), then read through the {@link BucketStore} as queries read it (Series with and
 * without chunks, label names and values). Every answer must be exactly right for the three untouched blocks and carry
 * no warning about them; for the damaged block it must either be exactly right, or carry a warning naming that block
 * (its samples then a subset of the right ones); or the call is refused with a typed {@link StorageException}. Never a
 * wrong sample without a warning, never an untyped failure. meta.json is left out: it has no checksum, and a change that
 * still parses describes another block rather than a damaged one.
 *
 * <p>{@code -Dgauntlet.fuzz.mutations=20000} runs a longer fuzz than the CI's.
 */
class BucketStoreCorruptionFuzzTest {
    private static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;
    private static final int BLOCKS = 4;
    private static final long END = START + BLOCKS * 7_200_000L;
    private static final int MUTATIONS = Integer.getInteger("gauntlet.fuzz.mutations", 300);
    private static final List<String> FILES = List.of("index", "chunks/000001");
    private static final List<LabelMatcher> ALL = List.of(LabelMatcher.regex("__name__", ".+"));
    private static final List<LabelMatcher> SOME = List.of(LabelMatcher.equal("__name__", "gauge"), LabelMatcher.regex("instance", "i-1.*"));

    @TempDir
    Path work;

    /** One store answer, as text per block (cluster label) and the warnings. */
    private record Reading(Map<String, List<String>> byBlock, List<String> warnings) {
    }

    /** Memory-backed when the machine has /dev/shm: thousands of small writes, header builds and deletions. */
    private Path scratch() throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "gauntlet-fuzz-") : work;
    }

    @Test
    void everyAnswerIsRightOrWarnsAboutTheDamagedBlockOrIsATypedError() throws Exception {
        Path base = scratch();
        try (Bucket bucket = new FilesystemBucket(Files.createDirectories(base.resolve("bucket")));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(base.resolve("cache")))) {
            List<String> ids = new ArrayList<>();
            Map<String, String> clusterOf = new TreeMap<>();
            for (int b = 0; b < BLOCKS; b++) {
                Path dir = writeBlock(base.resolve("local" + b), START + b * 7_200_000L, b);
                String id = BlockFixtures.upload(bucket, dir, Map.of("cluster", "b" + b), 0).ulid().toString();
                ids.add(id);
                clusterOf.put(id, "b" + b);
            }
            store.sync();
            List<Reading> expected = read(store);
            for (Reading reading : expected) {
                assertThat(reading.warnings()).isEmpty();
            }
            for (Reading series : expected.subList(0, 3)) {
                assertThat(series.byBlock()).hasSize(BLOCKS);
            }
            Map<String, byte[]> pristine = new TreeMap<>();
            for (String id : ids) {
                for (String file : FILES) {
                    pristine.put(id + "/" + file, get(bucket, id + "/" + file));
                }
            }

            Random random = new Random(20261207);
            Map<String, Integer> outcomes = new TreeMap<>();
            List<String> problems = new ArrayList<>();
            long started = System.nanoTime();
            long cpuStarted = processCpuNanos();
            Assertions.assertTimeoutPreemptively(Duration.ofMinutes(10), () -> {
                for (int i = 0; i < MUTATIONS && problems.size() < 10; i++) {
                    String id = ids.get(random.nextInt(BLOCKS));
                    String object = id + "/" + FILES.get(random.nextInt(FILES.size()));
                    String mutation = object + ": " + damage(random, bucket, object, pristine.get(object));
                    store.dropBlock(id); // read afresh from the bucket, as after a restart
                    store.loadBlock(id);
                    String outcome;
                    try {
                        List<Reading> actual = read(store);
                        outcome = judge(expected, actual, clusterOf.get(id), id, mutation, problems);
                    } catch (StorageException e) {
                        outcome = "refused: " + e.getClass().getSimpleName();
                    } catch (Throwable e) {
                        StringWriter trace = new StringWriter();
                        e.printStackTrace(new PrintWriter(trace));
                        problems.add(mutation + ": untyped failure " + trace.toString().lines().limit(8).reduce((a, b) -> a + "\n" + b).orElse(""));
                        outcome = "untyped " + e.getClass().getSimpleName();
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                    byte[] original = pristine.get(object);
                    bucket.upload(object, new ByteArrayInputStream(original), original.length);
                    store.dropBlock(id);
                    store.loadBlock(id);
                }
            });
            System.out.printf("store gateway corruption fuzz: %d damaged copies in %d ms (%d ms CPU of the JVM): %s%n", MUTATIONS,
                    (System.nanoTime() - started) / 1_000_000, (processCpuNanos() - cpuStarted) / 1_000_000, outcomes);
            assertThat(problems).isEmpty();
            assertThat(outcomes.keySet()).contains("read like the original", "warned: checksum", "warned: truncated", "warned: missing_file");
        } finally {
            if (!base.equals(work)) {
                deleteRecursively(base); // @TempDir cleans only its own directory
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** What the answers say, checked against the undamaged ones; returns the outcome's name. */
    private static String judge(List<Reading> expected, List<Reading> actual, String cluster, String id, String mutation, List<String> problems) {
        boolean warned = false;
        String cause = "";
        for (int q = 0; q < expected.size(); q++) {
            Reading want = expected.get(q);
            Reading got = actual.get(q);
            for (String warning : got.warnings()) {
                if (!warning.contains("corrupted block " + id + ": ")) {
                    problems.add(mutation + ": query " + q + " warns about something else: " + warning);
                }
            }
            for (String block : want.byBlock().keySet()) {
                List<String> gotLines = got.byBlock().getOrDefault(block, List.of());
                if (!block.equals(cluster)) {
                    if (!gotLines.equals(want.byBlock().get(block))) {
                        problems.add(mutation + ": query " + q + " answered differently for untouched block " + block);
                    }
                } else if (got.warnings().isEmpty()) {
                    if (!gotLines.equals(want.byBlock().get(block))) {
                        problems.add(mutation + ": query " + q + " answered differently for the damaged block without a warning");
                    }
                } else if (!new TreeSet<>(want.byBlock().get(block)).containsAll(gotLines)) {
                    problems.add(mutation + ": query " + q + " warned but also answered with wrong data for the damaged block");
                }
            }
            if (!got.warnings().isEmpty()) {
                warned = true;
                String warning = got.warnings().getFirst();
                warning = warning.substring(0, Math.max(0, warning.indexOf("; block left out"))); // the damage, not what it costs
                cause = warning.contains("checksum") ? "checksum" : warning.contains("truncated") ? "truncated"
                        : warning.contains("missing") ? "missing_file" : warning.contains("unknown") ? "unknown_encoding" : "decode";
            }
        }
        return warned ? "warned: " + cause : "read like the original";
    }

    /** Series with chunks over everything and over a part, series without chunks, label names and values. */
    private static List<Reading> read(BucketStore store) throws Exception {
        List<Reading> out = new ArrayList<>();
        out.add(series(store, StoreQuery.of(START, END, ALL)));
        out.add(series(store, StoreQuery.of(START + 3_600_000L, END - 3_600_000L, SOME)));
        out.add(series(store, new StoreQuery(START, END, ALL, true, 0, List.of(), null)));
        for (LabelAnswer answer : List.of(store.labelNamesAnswer(new LabelQuery(START, END, SOME, 0)),
                store.labelValuesAnswer("instance", new LabelQuery(START, END, ALL, 0)))) {
            // every block has the same names and values: the answer is the same whether the damaged block is left out or not
            out.add(new Reading(Map.of("all", answer.values()), answer.warnings()));
        }
        return out;
    }

    private static Reading series(BucketStore store, StoreQuery query) throws Exception {
        StoreSeriesSet set = (StoreSeriesSet) store.series(query);
        Map<String, List<String>> byBlock = new TreeMap<>();
        if (query.skipChunks()) {
            while (set.next()) {
                byBlock.computeIfAbsent(set.labels().get("cluster"), k -> new ArrayList<>()).add(set.labels().toString());
            }
        } else {
            for (Map.Entry<String, List<Sample>> entry : BlockFixtures.samplesByGroup(set, "cluster", List.of(), query.minTime(),
                    query.maxTime()).entrySet()) {
                byBlock.put(entry.getKey(), entry.getValue().stream().map(Sample::toString).toList());
            }
        }
        return new Reading(byBlock, set.warnings());
    }

    /** Damages one object in the bucket the way files get damaged; says how. */
    private static String damage(Random random, Bucket bucket, String object, byte[] original) {
        byte[] bytes = original.clone();
        int kind = random.nextInt(100);
        String how;
        if (kind < 60) {
            int flips = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
            StringBuilder at = new StringBuilder();
            for (int f = 0; f < flips; f++) {
                int position = random.nextInt(bytes.length);
                bytes[position] ^= (byte) (1 + random.nextInt(255));
                at.append(position).append(' ');
            }
            how = "flipped bytes at " + at.toString().trim();
        } else if (kind < 80) {
            int length = random.nextInt(bytes.length);
            bytes = Arrays.copyOf(bytes, length);
            how = "truncated to " + length + " bytes";
        } else if (kind < 87) {
            bytes[random.nextInt(4)] ^= (byte) (1 + random.nextInt(255));
            how = "damaged magic";
        } else if (kind < 93) {
            bucket.delete(object);
            return "deleted";
        } else {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            bytes = Arrays.copyOf(bytes, bytes.length + garbage.length);
            System.arraycopy(garbage, 0, bytes, original.length, garbage.length);
            how = "appended " + garbage.length + " garbage bytes";
        }
        bucket.upload(object, new ByteArrayInputStream(bytes), bytes.length);
        return how;
    }

    /** 24 series (a counter and a gauge on 12 instances), a sample every 30 s with jitter and some odd values. */
    private static Path writeBlock(Path parent, long minTime, int seed) throws IOException {
        Files.createDirectories(parent);
        Random random = new Random(seed);
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            series.add(Labels.of("__name__", "counter", "instance", "i-" + i));
            series.add(Labels.of("__name__", "gauge", "instance", "i-" + i));
        }
        series.sort(io.gauntlet.tsdb.index.Utf8Order::compare);
        try (BlockWriter writer = BlockWriter.create(parent, minTime, minTime + 7_200_000L)) {
            for (Labels labels : series) {
                int n = 200 + random.nextInt(40);
                long[] ts = new long[n];
                double[] values = new double[n];
                double value = 0;
                for (int s = 0; s < n; s++) {
                    ts[s] = minTime + s * 30_000L + random.nextInt(1000);
                    value = labels.get("__name__").equals("counter") ? value + random.nextInt(10)
                            : random.nextInt(20) == 0 ? random.nextGaussian() * 1e9 : random.nextInt(400) / 4.0;
                    values[s] = value;
                }
                writer.addSeries(labels, ts, values, n);
            }
            writer.commit();
            return writer.directory();
        }
    }

    private static byte[] get(Bucket bucket, String object) throws IOException {
        try (InputStream in = bucket.get(object)) {
            return in.readAllBytes();
        }
    }
}
