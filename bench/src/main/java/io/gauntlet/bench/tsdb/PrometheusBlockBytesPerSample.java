package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bench command: bytes per sample of real data — blocks a Prometheus wrote (e.g. a snapshot, {@code POST
 * /api/v1/admin/tsdb/snapshot}, of a Prometheus 2.42 scraping a real node_exporter). Prints the chunk payload per
 * sample of Prometheus' own chunks; rewrites every sample with Gauntlet's {@link BlockWriter} cutting chunks as the
 * head does and compares; then writes the same samples through {@code promtool tsdb create-blocks-from openmetrics} and
 * through BlockWriter with promtool's backfill chunk range, and fails unless those two are byte-for-byte the same size.
 * Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.tsdb.PrometheusBlockBytesPerSample <dir of blocks>}.
 */
public final class PrometheusBlockBytesPerSample {
    private static final long BLOCK = 7_200_000L;

    private PrometheusBlockBytesPerSample() {
    }

    record Samples(Labels labels, long[] timestamps, double[] values) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PrometheusBlockBytesPerSample <directory holding Prometheus blocks>");
        }
        Path work = Files.createTempDirectory("gauntlet-real-bps");
        NodeExporterBytesPerSample.ChunkBytes prometheusBytes = new NodeExporterBytesPerSample.ChunkBytes(0, 0, 0);
        NodeExporterBytesPerSample.ChunkBytes headLikeBytes = new NodeExporterBytesPerSample.ChunkBytes(0, 0, 0);
        List<Samples> all = new ArrayList<>();
        long samples = 0;
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        for (Path block : NodeExporterBytesPerSample.blocks(Path.of(args[0]))) {
            prometheusBytes = prometheusBytes.plus(NodeExporterBytesPerSample.chunkBytes(block));
            List<Samples> inBlock = read(block);
            try (BlockReader reader = BlockReader.open(block);
                 BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("headlike")), reader.minTime(), reader.maxTime())) {
                minTime = Math.min(minTime, reader.minTime());
                maxTime = Math.max(maxTime, reader.maxTime());
                for (Samples one : inBlock) {
                    writer.addSeries(one.labels(), one.timestamps(), one.values(), one.timestamps().length);
                    samples += one.timestamps().length;
                }
                BlockMeta meta = writer.commit();
                headLikeBytes = headLikeBytes.plus(NodeExporterBytesPerSample.chunkBytes(writer.directory()));
                System.out.printf("block %s: %,d series, %,d samples, %.1f h%n", reader.meta().ulid(), inBlock.size(),
                        meta.stats().numSamples(), (reader.maxTime() - reader.minTime()) / 3.6e6);
            }
            all.addAll(inBlock);
        }
        print("Prometheus' own chunks", prometheusBytes, samples);
        print("Gauntlet BlockWriter, head chunk cutting", headLikeBytes, samples);
        System.out.println(prometheusBytes.equals(headLikeBytes) ? "Prometheus' chunks and BlockWriter's are the same size"
                : "Prometheus' chunks and BlockWriter's differ (the head cut chunks when it started or restarted, BlockWriter from the first sample)");

        // what the timestamps cost: the same values with every timestamp moved onto its series' scrape grid
        NodeExporterBytesPerSample.ChunkBytes onGridBytes = new NodeExporterBytesPerSample.ChunkBytes(0, 0, 0);
        long offGrid = 0;
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("ongrid")), minTime, maxTime + 1)) {
            for (Samples one : all) {
                long[] ts = onGrid(one.timestamps());
                for (int i = 0; i < ts.length; i++) {
                    offGrid += ts[i] == one.timestamps()[i] ? 0 : 1;
                }
                writer.addSeries(one.labels(), ts, one.values(), ts.length);
            }
            writer.commit();
            onGridBytes = NodeExporterBytesPerSample.chunkBytes(writer.directory());
        }
        System.out.printf("%.1f %% of the samples lie off their series' scrape grid; moved onto it:%n", 100.0 * offGrid / samples);
        print("Gauntlet BlockWriter, timestamps on the grid", onGridBytes, samples);
        printFamilies(all);

        // the same samples through promtool's backfill and through BlockWriter with its chunk range, 2 h blocks
        Path input = work.resolve("samples.om");
        writeOpenMetrics(input, all);
        Path promtoolOut = work.resolve("promtool");
        Process promtool = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", input.toString(),
                promtoolOut.toString()).redirectErrorStream(true).redirectOutput(work.resolve("promtool.log").toFile()).start();
        if (promtool.waitFor() != 0) {
            throw new IllegalStateException("promtool failed: " + Files.readString(work.resolve("promtool.log")));
        }
        NodeExporterBytesPerSample.ChunkBytes promtoolBytes = new NodeExporterBytesPerSample.ChunkBytes(0, 0, 0);
        for (Path block : NodeExporterBytesPerSample.blocks(promtoolOut)) {
            promtoolBytes = promtoolBytes.plus(NodeExporterBytesPerSample.chunkBytes(block));
        }
        NodeExporterBytesPerSample.ChunkBytes backfillBytes = new NodeExporterBytesPerSample.ChunkBytes(0, 0, 0);
        Path ours = Files.createDirectories(work.resolve("backfill"));
        for (long start = Math.floorDiv(minTime, BLOCK) * BLOCK; start < maxTime; start += BLOCK) {
            try (BlockWriter writer = BlockWriter.create(ours, start, start + BLOCK,
                    BlockWriter.Options.defaults().withChunkRange(SeriesChunkCutter.backfillChunkRange(BLOCK)))) {
                boolean any = false;
                for (Samples one : all) {
                    int lo = NodeExporterBytesPerSample.lowerBound(one.timestamps(), start);
                    int hi = NodeExporterBytesPerSample.lowerBound(one.timestamps(), start + BLOCK);
                    if (hi > lo) {
                        writer.addSeries(one.labels(), Arrays.copyOfRange(one.timestamps(), lo, hi), Arrays.copyOfRange(one.values(), lo, hi), hi - lo);
                        any = true;
                    }
                }
                if (any) {
                    writer.commit();
                    backfillBytes = backfillBytes.plus(NodeExporterBytesPerSample.chunkBytes(writer.directory()));
                }
            }
        }
        print("promtool tsdb create-blocks-from openmetrics", promtoolBytes, samples);
        print("Gauntlet BlockWriter, backfill chunk range", backfillBytes, samples);
        if (!promtoolBytes.equals(backfillBytes)) {
            throw new IllegalStateException("promtool wrote " + promtoolBytes + ", BlockWriter " + backfillBytes);
        }
        System.out.println("promtool and BlockWriter chunk bytes are equal");
        NodeExporterBytesPerSample.deleteTree(work);
    }

    /**
     * Where the bytes go with every timestamp on its grid: XOR chunks of 120 samples (the head's cut at a 15 s interval)
     * per metric-name family — a name's prefix up to its second '_' — largest first, and the total without each.
     */
    private static void printFamilies(List<Samples> all) {
        java.util.Map<String, long[]> families = new java.util.TreeMap<>(); // samples, bytes
        long totalSamples = 0;
        long totalBytes = 0;
        XorChunkAppender appender = new XorChunkAppender();
        for (Samples one : all) {
            long[] ts = onGrid(one.timestamps());
            long bytes = 0;
            appender.reset();
            for (int i = 0; i < ts.length; i++) {
                if (appender.sampleCount() == 120) {
                    bytes += appender.encodedLength();
                    appender.reset();
                }
                appender.append(ts[i], one.values()[i]);
            }
            bytes += appender.encodedLength();
            String name = one.labels().get("__name__");
            int first = name.indexOf('_');
            int second = first < 0 ? -1 : name.indexOf('_', first + 1);
            long[] family = families.computeIfAbsent(second < 0 ? name : name.substring(0, second), k -> new long[3]);
            family[0] += ts.length;
            family[1] += bytes;
            family[2]++;
            totalSamples += ts.length;
            totalBytes += bytes;
        }
        System.out.printf("by family, timestamps on the grid, 120-sample chunks: %.4f B/sample over all%n", (double) totalBytes / totalSamples);
        List<java.util.Map.Entry<String, long[]>> sorted = new ArrayList<>(families.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        for (var family : sorted.subList(0, Math.min(12, sorted.size()))) {
            long[] v = family.getValue();
            System.out.printf("  %-28s %4d series %5.1f %% of samples %5.1f %% of bytes  %.3f B/sample; all others %.4f B/sample%n",
                    family.getKey(), v[2], 100.0 * v[0] / totalSamples, 100.0 * v[1] / totalBytes, (double) v[1] / v[0],
                    (double) (totalBytes - v[1]) / (totalSamples - v[0]));
        }
    }

    /** The timestamps moved onto the series' scrape grid (from its first sample, at its median step), still increasing. */
    private static long[] onGrid(long[] timestamps) {
        long[] ts = timestamps.clone();
        long interval = ts.length > 1 ? medianStep(ts) : 1;
        for (int i = 1; i < ts.length; i++) {
            ts[i] = Math.max(ts[0] + Math.round((double) (ts[i] - ts[0]) / interval) * interval, ts[i - 1] + 1);
        }
        return ts;
    }

    private static long medianStep(long[] ts) {
        long[] steps = new long[ts.length - 1];
        for (int i = 1; i < ts.length; i++) {
            steps[i - 1] = ts[i] - ts[i - 1];
        }
        Arrays.sort(steps);
        // scrape intervals are whole seconds: the median step rounded to one
        return Math.max(1, Math.round(steps[steps.length / 2] / 1000.0) * 1000);
    }

    private static List<Samples> read(Path block) throws Exception {
        List<Samples> out = new ArrayList<>();
        try (BlockReader reader = BlockReader.open(block)) {
            SeriesSet set = reader.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
            SampleIterator it = null;
            long[] ts = new long[1024];
            double[] vs = new double[1024];
            while (set.next()) {
                it = set.at().iterator(it);
                int n = 0;
                while (it.next()) {
                    if (n == ts.length) {
                        ts = Arrays.copyOf(ts, 2 * n);
                        vs = Arrays.copyOf(vs, 2 * n);
                    }
                    ts[n] = it.timestamp();
                    vs[n++] = it.value();
                }
                out.add(new Samples(set.at().labels(), Arrays.copyOf(ts, n), Arrays.copyOf(vs, n)));
            }
        }
        return out;
    }

    private static void print(String who, NodeExporterBytesPerSample.ChunkBytes bytes, long samples) {
        System.out.printf("%-46s %,d chunks: payload %.4f B/sample (%,d B), segment files %.4f B/sample%n", who, bytes.chunks(),
                (double) bytes.payload() / samples, bytes.payload(), (double) bytes.files() / samples);
    }

    /** Series sorted by labels, so each metric name's series are together (one OpenMetrics family, type unknown). */
    private static void writeOpenMetrics(Path file, List<Samples> sorted) throws Exception {
        StringBuilder line = new StringBuilder(256);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Samples one : sorted) {
                StringBuilder name = new StringBuilder(one.labels().get("__name__")).append('{');
                String separator = "";
                for (int i = 0; i < one.labels().size(); i++) {
                    if (!one.labels().name(i).equals("__name__")) {
                        name.append(separator).append(one.labels().name(i)).append("=\"").append(escape(one.labels().value(i))).append('"');
                        separator = ",";
                    }
                }
                name.append("} ");
                for (int i = 0; i < one.timestamps().length; i++) {
                    line.setLength(0);
                    line.append(name).append(one.values()[i]).append(' ').append(NodeExporterBytesPerSample.seconds(one.timestamps()[i])).append('\n');
                    out.append(line);
                }
            }
            out.write("# EOF\n");
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
