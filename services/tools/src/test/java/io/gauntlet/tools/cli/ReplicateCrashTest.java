package io.gauntlet.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replicate} killed with SIGKILL in the middle of a copy, then run again: the target equals the source. */
class ReplicateCrashTest {
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void aKilledReplicationRunAgainLeavesTheTargetIdenticalToTheSource() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        Path target = Files.createDirectories(dir.resolve("target"));
        String sourceConfig = "type: FILESYSTEM\nconfig:\n  directory: " + source;
        String targetConfig = "type: FILESYSTEM\nconfig:\n  directory: " + target;
        var sourceBucket = BucketFactory.fromYaml(sourceConfig);
        int blocks = 12;
        for (int b = 0; b < blocks; b++) {
            // small chunk segments: many objects per block, so the copy is still running when it is killed
            BlockWriter.Options options = BlockWriter.Options.defaults().withSegmentSize(2048)
                    .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "sidecar"));
            BlockMeta meta;
            try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), b * 2 * HOUR, (b + 1) * 2 * HOUR, options)) {
                for (int s = 0; s < 20; s++) {
                    int n = 480;
                    long[] ts = new long[n];
                    double[] vs = new double[n];
                    for (int i = 0; i < n; i++) {
                        ts[i] = b * 2 * HOUR + i * 15_000L;
                        vs[i] = Math.sin(i + s);
                    }
                    writer.addSeries(Labels.of("__name__", "m", "series", String.format("%03d", s)), ts, vs, n);
                }
                meta = writer.commit();
            }
            BlockTransfer.upload(sourceBucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
        }
        Map<String, byte[]> expected = tree(source);

        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), GauntletTools.class.getName(), "bucket", "replicate", "--objstore.config", sourceConfig,
                "--objstore-to.config", targetConfig).redirectErrorStream(true).redirectOutput(dir.resolve("replicate.log").toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(2))
                    .until(() -> completeBlocks(target) >= 1 || !process.isAlive());
            process.destroyForcibly(); // SIGKILL
            process.waitFor();
        } finally {
            process.destroyForcibly();
        }
        Map<String, byte[]> afterKill = tree(target);
        assertThat(completeBlocks(target)).as("killed halfway").isBetween(1L, (long) blocks - 1);
        assertThat(afterKill.size()).isLessThan(expected.size());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GauntletTools.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("bucket", "replicate", "--objstore.config", sourceConfig, "--objstore-to.config", targetConfig);
        assertThat(code).as(err.toString()).isZero();

        Map<String, byte[]> replicated = tree(target);
        assertThat(replicated.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(replicated.get(name)).as(name).isEqualTo(bytes));
        assertThat(err.toString()).contains("already in the target");
    }

    /** Block directories holding meta.json (only the top level is listed: the copy renames files below it meanwhile). */
    private static long completeBlocks(Path bucket) throws Exception {
        try (Stream<Path> blocks = Files.list(bucket)) {
            return blocks.filter(block -> Files.exists(block.resolve("meta.json"))).count();
        }
    }

    /** Every object of the bucket as its list shows it: name → bytes. */
    private static Map<String, byte[]> tree(Path directory) throws Exception {
        Map<String, byte[]> tree = new TreeMap<>();
        try (var bucket = BucketFactory.fromYaml("type: FILESYSTEM\nconfig:\n  directory: " + directory)) {
            for (String name : bucket.list("", true)) {
                try (var in = bucket.get(name)) {
                    tree.put(name, in.readAllBytes());
                }
            }
        }
        return tree;
    }
}
