package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Bench command: chunk bytes per sample of node_exporter-like data (15 s scrapes with millisecond jitter; CPU and
 * network counters, memory and filesystem gauges in pages, load averages, constants, rarely moving error counters)
 * written by promtool ({@code tsdb create-blocks-from openmetrics}) and by Gauntlet's {@link BlockWriter} from the same
 * samples, with promtool's backfill chunk range and with the 2 h head chunk range. Needs {@code promtool} on the PATH.
 * Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.tsdb.ChunkSizeComparison [hosts]}.
 */
public final class ChunkSizeComparison {
    private static final long BLOCK = 7_200_000L;
    private static final long SCRAPE = 15_000L;

    private ChunkSizeComparison() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        Path work = Files.createTempDirectory("gauntlet-chunk-size");
        try {
            long start = 1_800_000_000_000L / BLOCK * BLOCK;
            Path input = work.resolve("node.om");
            long written = writeNodeExporterMetrics(input, hosts, start, start + BLOCK);
            Path promtoolOut = work.resolve("promtool");
            Process promtool = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", input.toString(),
                    promtoolOut.toString()).redirectErrorStream(true).redirectOutput(work.resolve("promtool.log").toFile()).start();
            if (promtool.waitFor() != 0) {
                throw new IllegalStateException("promtool failed: " + Files.readString(work.resolve("promtool.log")));
            }
            List<Path> blocks;
            try (Stream<Path> entries = Files.list(promtoolOut)) {
                blocks = entries.filter(p -> Files.exists(p.resolve("meta.json"))).sorted().toList();
            }
            long samples = 0;
            long series = 0;
            long promtoolBytes = 0;
            long backfillRangeBytes = 0;
            long headRangeBytes = 0;
            for (Path block : blocks) {
                try (BlockReader reader = BlockReader.open(block)) {
                    samples += reader.meta().stats().numSamples();
                    series = Math.max(series, reader.meta().stats().numSeries());
                    promtoolBytes += chunkBytes(block);
                    backfillRangeBytes += rewrite(reader, work.resolve("backfill-range"), SeriesChunkCutter.backfillChunkRange(BLOCK));
                    headRangeBytes += rewrite(reader, work.resolve("head-range"), SeriesChunkCutter.DEFAULT_CHUNK_RANGE);
                }
            }
            if (samples != written) {
                throw new IllegalStateException("promtool blocks hold " + samples + " samples, " + written + " were written");
            }
            System.out.printf("node_exporter-like data: %d hosts, %,d series, %,d samples%n", hosts, series, samples);
            System.out.printf("chunk bytes/sample: promtool %.4f | Gauntlet (promtool's backfill chunk range) %.4f | Gauntlet (2 h head chunk range) %.4f%n",
                    (double) promtoolBytes / samples, (double) backfillRangeBytes / samples, (double) headRangeBytes / samples);
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long rewrite(BlockReader source, Path parent, long chunkRange) throws Exception {
        BlockMeta meta;
        try (BlockWriter writer = BlockWriter.create(parent, source.minTime(), source.maxTime(),
                BlockWriter.Options.defaults().withChunkRange(chunkRange))) {
            SeriesSet set = source.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            long[] ts = new long[1024];
            double[] vs = new double[1024];
            SampleIterator iterator = null;
            while (set.next()) {
                iterator = set.at().iterator(iterator);
                int n = 0;
                while (iterator.next()) {
                    if (n == ts.length) {
                        ts = Arrays.copyOf(ts, 2 * n);
                        vs = Arrays.copyOf(vs, 2 * n);
                    }
                    ts[n] = iterator.timestamp();
                    vs[n++] = iterator.value();
                }
                writer.addSeries(set.at().labels(), ts, vs, n);
            }
            meta = writer.commit();
        }
        return chunkBytes(parent.resolve(meta.ulid().toString()));
    }

    private static long chunkBytes(Path block) throws Exception {
        try (Stream<Path> files = Files.list(block.resolve("chunks"))) {
            long total = 0;
            for (Path file : files.toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    /** 40 series a host over [from, to): the mix of a node_exporter scrape. Returns the number of samples. */
    private static long writeNodeExporterMetrics(Path file, int hosts, long from, long to) throws Exception {
        Random random = new Random(42);
        String[][] families = {
                {"node_cpu_seconds_total", "counter", "cpu", "8", "mode", "idle,user,system,iowait"},
                {"node_network_receive_bytes_total", "counter", "device", "2", "", ""},
                {"node_network_receive_errs_total", "counter", "device", "2", "", ""},
                {"node_memory_MemAvailable_bytes", "gauge", "", "1", "", ""},
                {"node_filesystem_avail_bytes", "gauge", "mountpoint", "2", "", ""},
                {"node_filesystem_size_bytes", "gauge", "mountpoint", "2", "", ""},
                {"node_load1", "gauge", "", "1", "", ""},
        };
        long samples = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String[] family : families) {
                String name = family[0];
                out.write("# TYPE " + name.replace("_total", "") + " " + family[1] + "\n");
                String[] modes = family[5].isEmpty() ? new String[] {""} : family[5].split(",");
                int per = Integer.parseInt(family[3]);
                for (int h = 0; h < hosts; h++) {
                    for (int i = 0; i < per; i++) {
                        for (String mode : modes) {
                            StringBuilder labels = new StringBuilder("{instance=\"host-" + h + ":9100\",job=\"node\"");
                            if (!family[2].isEmpty()) {
                                labels.append(',').append(family[2]).append("=\"").append(family[2]).append(i).append('"');
                            }
                            if (!mode.isEmpty()) {
                                labels.append(",mode=\"").append(mode).append('"');
                            }
                            labels.append('}');
                            samples += writeSeries(out, name + labels, name, random, from, to);
                        }
                    }
                }
            }
            out.write("# EOF\n");
        }
        return samples;
    }

    private static long writeSeries(BufferedWriter out, String series, String name, Random random, long from, long to) throws Exception {
        double value = switch (name) {
            case "node_cpu_seconds_total" -> Math.round(random.nextDouble() * 1e7) / 100.0;
            case "node_network_receive_bytes_total" -> random.nextInt(1 << 30);
            case "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes", "node_filesystem_size_bytes" -> 4096.0 * random.nextInt(4_000_000);
            case "node_load1" -> Math.round(random.nextDouble() * 400) / 100.0;
            default -> random.nextInt(10);
        };
        long samples = 0;
        for (long t = from + random.nextInt((int) SCRAPE); t < to; t += SCRAPE + random.nextInt(5) - 2) {
            switch (name) {
                case "node_cpu_seconds_total" -> value = Math.round((value + random.nextDouble() * 15) * 100) / 100.0;
                case "node_network_receive_bytes_total" -> value += random.nextInt(2_000_000);
                case "node_network_receive_errs_total" -> value += random.nextInt(500) == 0 ? 1 : 0;
                case "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes" -> value += 4096.0 * (random.nextInt(201) - 100);
                case "node_load1" -> value = Math.max(0, Math.round((value + random.nextGaussian() * 0.05) * 100) / 100.0);
                default -> {
                }
            }
            out.write(series + " " + value + " " + t / 1000 + "." + String.format("%03d", t % 1000) + "\n");
            samples++;
        }
        return samples;
    }
}
