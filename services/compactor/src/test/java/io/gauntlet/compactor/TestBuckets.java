package io.gauntlet.compactor;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Blocks written with the real block writer and put into a FILESYSTEM bucket as an upload would (meta.json last). */
final class TestBuckets {
    private TestBuckets() {
    }

    /** One series {@code up{job="svc"}} every 15 s over [minTime, maxTime), shifted by {@code seed} × 100 ms. */
    static BlockMeta upload(Path bucket, long minTime, long maxTime, Map<String, String> externalLabels, int seed) throws IOException {
        Path local = Files.createTempDirectory("gauntlet-compactor-test-block-");
        BlockMeta meta;
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(externalLabels, 0, "sidecar"));
        try (var writer = BlockWriter.create(local, minTime, maxTime, options)) {
            int n = (int) ((maxTime - minTime) / 15_000);
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = minTime + i * 15_000L + seed * 100L;
                vs[i] = i;
            }
            writer.addSeries(Labels.of("__name__", "up", "job", "svc"), ts, vs, n);
            meta = writer.commit();
        }
        Path source = local.resolve(meta.ulid().toString());
        Path target = bucket.resolve(meta.ulid().toString());
        Files.createDirectories(target.resolve("chunks"));
        try (Stream<Path> chunks = Files.list(source.resolve("chunks"))) {
            for (Path chunk : chunks.toList()) {
                Files.copy(chunk, target.resolve("chunks").resolve(chunk.getFileName()));
            }
        }
        Files.copy(source.resolve("index"), target.resolve("index"));
        Files.copy(source.resolve("meta.json"), target.resolve("meta.json.tmp"));
        Files.move(target.resolve("meta.json.tmp"), target.resolve("meta.json"), StandardCopyOption.ATOMIC_MOVE);
        return meta;
    }

    /** Every file of the bucket (relative path → size), to show that nothing changed. */
    static Map<String, Long> listing(Path bucket) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(bucket)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(bucket.relativize(file).toString(), Files.size(file));
            }
        }
        return files;
    }

    /** The block directories (ULIDs) that have a meta.json. */
    static List<String> blocks(Path bucket) throws IOException {
        try (Stream<Path> dirs = Files.list(bucket)) {
            return dirs.filter(dir -> Files.exists(dir.resolve("meta.json"))).map(dir -> dir.getFileName().toString()).sorted().toList();
        }
    }
}
