package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bench command: writes one block of 1 M series (4 samples each) with {@link BlockWriter}, then measures the heap a
 * {@link BlockReader} holds once the block is open (MemoryMXBean after GC) and the latency until the first sample of a
 * one-matcher select. Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.tsdb.BlockOpenBenchmark [series]}.
 */
public final class BlockOpenBenchmark {
    private static final String[] METRICS = {"node_cpu_seconds_total", "node_disk_io_time_seconds_total", "node_filesystem_avail_bytes",
            "node_load1", "node_memory_MemAvailable_bytes", "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
            "node_procs_running", "node_schedstat_waiting_seconds_total", "node_vmstat_pgfault"};
    private static final long BLOCK = 7_200_000L;

    private BlockOpenBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seriesCount = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int hosts = seriesCount / METRICS.length;
        long start = 1_800_000_000_000L / BLOCK * BLOCK;
        Path parent = Files.createTempDirectory("gauntlet-block-open");
        try {
            long writeStarted = System.nanoTime();
            BlockMeta meta;
            try (BlockWriter writer = BlockWriter.create(parent, start, start + BLOCK)) {
                long[] timestamps = new long[4];
                double[] values = new double[4];
                // metric names and zero-padded hosts are generated in index order, so the streaming writer takes them as they come
                for (int m = 0; m < METRICS.length; m++) {
                    for (int h = 0; h < hosts; h++) {
                        for (int i = 0; i < 4; i++) {
                            timestamps[i] = start + h % 15_000 + i * 15_000L;
                            values[i] = h + i * 0.5;
                        }
                        writer.addSeries(Labels.of(Labels.METRIC_NAME, METRICS[m], "instance", String.format("host-%07d:9100", h),
                                "job", "node"), timestamps, values, 4);
                    }
                }
                meta = writer.commit();
            }
            double writeSeconds = (System.nanoTime() - writeStarted) / 1e9;
            Path block = parent.resolve(meta.ulid().toString());
            long indexBytes = Files.size(block.resolve("index"));
            long chunkBytes = Files.size(block.resolve("chunks/000001"));
            System.out.printf("wrote %,d series, %,d samples in %.1f s (index %,d bytes, chunks %,d bytes)%n", meta.stats().numSeries(),
                    meta.stats().numSamples(), writeSeconds, indexBytes, chunkBytes);

            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long before = usedHeapAfterGc(memory);
            long openStarted = System.nanoTime();
            try (BlockReader reader = BlockReader.open(block)) {
                double openMillis = (System.nanoTime() - openStarted) / 1e6;
                long after = usedHeapAfterGc(memory);
                System.out.printf("open: %.1f ms, heap held by the open reader: %,d bytes (%.1f MiB)%n", openMillis, after - before,
                        (after - before) / 1048576.0);
                double[] latencies = new double[21];
                for (int run = 0; run < latencies.length; run++) {
                    String host = String.format("host-%07d:9100", (run * 7919) % hosts);
                    long selectStarted = System.nanoTime();
                    SeriesSet set = reader.select(start, start + BLOCK, List.of(LabelMatcher.equal("instance", host)));
                    if (!set.next()) {
                        throw new IllegalStateException("no series for " + host);
                    }
                    SampleIterator iterator = set.at().iterator(null);
                    if (!iterator.next()) {
                        throw new IllegalStateException("no sample for " + host);
                    }
                    latencies[run] = (System.nanoTime() - selectStarted) / 1e6;
                }
                double first = latencies[0];
                Arrays.sort(latencies, 1, latencies.length);
                System.out.printf("one-matcher select, first sample: first call %.3f ms, then median %.3f ms, max %.3f ms (20 calls)%n",
                        first, latencies[10], latencies[latencies.length - 1]);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(parent)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100); // let the collector finish concurrent work before sampling
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
