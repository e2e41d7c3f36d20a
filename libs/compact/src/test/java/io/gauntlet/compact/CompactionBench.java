package io.gauntlet.compact;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.index.Utf8Order;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Bench command: compaction throughput and peak heap. Writes four 2h blocks of {@code series} series (one sample per
 * {@code interval} ms), verifies them as sources (twice: cold and warm page cache), then compacts them (chunks passed
 * through) and, separately, two overlapping HA replicas
 * (vertical: decode, penalty merge, re-encode). Run with the heap limit to check, e.g.
 * {@code java -Xmx1g -cp <test classpath> io.gauntlet.compact.CompactionBench <dir> 1000000 60000}.
 */
public final class CompactionBench {
    private static final long HOUR = 3_600_000L;

    private CompactionBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int series = Integer.parseInt(args[1]);
        long interval = Long.parseLong(args[2]);
        Map<String, String> labels = Map.of("cluster", "bench");
        List<Path> blocks = new ArrayList<>();
        long started = System.nanoTime();
        for (int b = 0; b < 4; b++) {
            blocks.add(write(dir.resolve("sources"), b * 2 * HOUR, (b + 1) * 2 * HOUR, Map.of("cluster", "bench"), series, interval, 0));
        }
        System.out.printf("wrote 4 blocks of %,d series in %.1f s%n", series, (System.nanoTime() - started) / 1e9);
        // what the compactor adds before every compaction: each source read once through (index entries, chunk CRCs)
        for (int round = 0; round < 2; round++) {
            long verifyStart = System.nanoTime();
            long verifyCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            for (Path block : blocks) {
                SourceVerifier.verify(block, io.gauntlet.tsdb.block.BlockMeta.read(block));
            }
            System.out.printf("source verification, 4 x 2h blocks: %.2f s wall (%.2f s CPU)%n", (System.nanoTime() - verifyStart) / 1e9,
                    (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - verifyCpu) / 1e9);
        }
        measure("horizontal, 4 x 2h blocks", () -> BlockCompactor.compact(blocks, dir.resolve("out"), labels, Deduplication.NONE,
                CompactionProgress.NONE));
        List<Path> replicas = List.of(
                write(dir.resolve("replicas"), 0, 2 * HOUR, Map.of("cluster", "bench", "replica", "0"), series / 4, interval, 0),
                write(dir.resolve("replicas"), 0, 2 * HOUR, Map.of("cluster", "bench", "replica", "1"), series / 4, interval, 3_000));
        measure("vertical penalty, 2 replicas of 2h", () -> BlockCompactor.compact(replicas, dir.resolve("vertical"), labels, Deduplication.PENALTY,
                CompactionProgress.NONE));
    }

    @FunctionalInterface
    private interface Work {
        BlockCompactor.Result run() throws Exception;
    }

    private static void measure(String what, Work work) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long start = System.nanoTime();
        BlockCompactor.Result result = work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long samples = result.meta().stats().numSamples();
        System.out.printf("%s: %,d series, %,d samples in %.2f s wall (%.2f s CPU of the compacting thread) = %.1f M samples/s wall, "
                        + "%.1f M samples/s per core; peak heap %d MiB (max %d MiB)%n", what, result.meta().stats().numSeries(), samples, seconds,
                cpuSeconds, samples / seconds / 1e6, samples / cpuSeconds / 1e6, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static Path write(Path parent, long minTime, long maxTime, Map<String, String> externalLabels, int series, long interval, long jitter)
            throws Exception {
        Random random = new Random(minTime + jitter);
        int n = (int) ((maxTime - minTime - jitter) / interval);
        long[] ts = new long[n];
        double[] vs = new double[n];
        List<Labels> all = new ArrayList<>(series);
        for (int i = 0; i < series; i++) {
            all.add(Labels.of("__name__", "metric_" + (i % 100), "instance", "host-" + (i / 100), "job", "bench"));
        }
        all.sort(Utf8Order::compare);
        try (BlockWriter writer = BlockWriter.create(parent, minTime, maxTime,
                BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(externalLabels, 0, "sidecar")))) {
            double value = 0;
            for (Labels labels : all) {
                for (int i = 0; i < n; i++) {
                    ts[i] = minTime + jitter + i * interval;
                    value += random.nextInt(10);
                    vs[i] = value;
                }
                writer.addSeries(labels, ts, vs, n);
            }
            return writer.commit() == null ? null : writer.directory();
        }
    }
}
