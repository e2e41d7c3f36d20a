package io.gauntlet.shipper;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Blocks for shipper tests, and moving them into a TSDB directory the way Prometheus does (build aside, then rename). */
public final class TsdbBlocks {
    public static final long BLOCK = 7_200_000L;
    public static final long START = 1_700_000_000_000L - 1_700_000_000_000L % BLOCK;

    private TsdbBlocks() {
    }

    /** Real Prometheus blocks: promtool {@code create-blocks-from openmetrics} over {@code hours} hours, one per 2 h. */
    public static List<Path> promtoolBlocks(Path workDirectory, long seed, int hours) throws IOException {
        Promtool promtool = Promtool.require();
        Path input = workDirectory.resolve("input-" + seed + ".om");
        new OpenMetricsGenerator(seed, 40, 20, 2, START + 1_000, hours * 3_600_000L - 2_000, 15_000).write(input);
        return promtool.createBlocksFromOpenMetrics(input, workDirectory.resolve("promtool-" + seed));
    }

    /**
     * A block of {@code series} series with random values every second over 2 h (~9 bytes a sample), its chunks cut into
     * segment files of {@code segmentSize} bytes: many objects to upload, written in a second or two.
     */
    public static Path randomBlock(Path workDirectory, long minTime, int series, long segmentSize) throws IOException {
        Random random = new Random(minTime);
        int samples = (int) (BLOCK / 1_000);
        long[] timestamps = new long[samples];
        double[] values = new double[samples];
        BlockWriter.Options options = BlockWriter.Options.defaults().withSegmentSize(segmentSize);
        try (BlockWriter writer = BlockWriter.create(workDirectory, minTime, minTime + BLOCK, options)) {
            for (int s = 0; s < series; s++) {
                for (int i = 0; i < samples; i++) {
                    timestamps[i] = minTime + i * 1_000L;
                    values[i] = random.nextDouble();
                }
                writer.addSeries(Labels.of("__name__", "random", "series", String.format("%06d", s)), timestamps, values, samples);
            }
            writer.commit();
            return workDirectory.resolve(writer.ulid().toString());
        }
    }

    /** Copies {@code block} into {@code tsdb} as Prometheus does: into {@code <ulid>.tmp-for-creation}, then an atomic rename. */
    public static Path install(Path block, Path tsdb) throws IOException {
        String name = block.getFileName().toString();
        Path temporary = tsdb.resolve(name + BlockWriter.TEMPORARY_SUFFIX);
        copyTree(block, temporary);
        return Files.move(temporary, tsdb.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    public static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.sorted().toList()) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
