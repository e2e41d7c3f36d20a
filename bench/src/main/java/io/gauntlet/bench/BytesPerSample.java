package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.ChunkSegmentReader;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.StoredChunk;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Bytes per sample of node_exporter-like data: Gauntlet's chunk cutter and XOR encoder versus promtool's blocks built
 * from the same samples. Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.BytesPerSample [series]}.
 */
public final class BytesPerSample {
    private static final long BLOCK = 7_200_000L;

    private BytesPerSample() {
    }

    public static void main(String[] args) throws Exception {
        int seriesCount = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long start = 1_700_006_400_000L; // a 2 h boundary
        NodeExporterData.Series[] series = NodeExporterData.generate(seriesCount, 470, start, 7);
        Path work = Files.createTempDirectory("bytes-per-sample");
        try {
            Path input = work.resolve("node.om");
            long samples = 0;
            long ourBytes = 0;
            long ourChunks = 0;
            try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
                for (NodeExporterData.Series one : series) {
                    long[] timestamps = new long[one.timestamps().length];
                    for (int i = 0; i < timestamps.length; i++) {
                        String seconds = seconds(one.timestamps()[i]);
                        timestamps[i] = (long) (Double.parseDouble(seconds) * 1000); // what promtool reads
                    }
                    List<SeriesChunkCutter.CutChunk> chunks = SeriesChunkCutter.cut(timestamps, one.values(),
                            timestamps.length, SeriesChunkCutter.backfillChunkRange(BLOCK));
                    for (SeriesChunkCutter.CutChunk chunk : chunks) {
                        ourBytes += chunk.data().length;
                    }
                    ourChunks += chunks.size();
                    samples += timestamps.length;
                }
                writeOpenMetrics(out, series);
            }
            System.out.printf("input: %d node_exporter-like series, %d samples at 15 s (2 h)%n", series.length, samples);
            System.out.printf("gauntlet: %d chunks, %d chunk bytes, %.3f bytes/sample%n", ourChunks, ourBytes, (double) ourBytes / samples);
            Path promtool = Path.of("/usr/bin/promtool");
            if (!Files.isExecutable(promtool)) {
                System.out.println("promtool: not installed, skipped");
                return;
            }
            Path blocks = Files.createDirectories(work.resolve("blocks"));
            Process process = new ProcessBuilder(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                    input.toString(), blocks.toString()).inheritIO().start();
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("promtool failed");
            }
            long theirBytes = 0;
            long theirChunks = 0;
            long fileBytes = 0;
            try (Stream<Path> dirs = Files.list(blocks)) {
                for (Path block : dirs.filter(Files::isDirectory).toList()) {
                    try (ChunkSegmentReader reader = ChunkSegmentReader.open(block.resolve("chunks"))) {
                        for (long ref : reader.scanRefs()) {
                            StoredChunk chunk = reader.chunk(ref);
                            theirBytes += chunk.data().byteSize();
                            theirChunks++;
                        }
                    }
                    try (Stream<Path> files = Files.list(block.resolve("chunks"))) {
                        for (Path file : files.toList()) {
                            fileBytes += Files.size(file);
                        }
                    }
                }
            }
            System.out.printf("promtool: %d chunks, %d chunk bytes, %.3f bytes/sample (%.3f with segment file framing)%n",
                    theirChunks, theirBytes, (double) theirBytes / samples, (double) fileBytes / samples);
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static void writeOpenMetrics(BufferedWriter out, NodeExporterData.Series[] series) throws java.io.IOException {
        // group by metric family: OpenMetrics wants each family's samples together
        for (String family : Stream.of(series).map(NodeExporterData.Series::name).distinct().toList()) {
            boolean counter = family.endsWith("_total");
            String familyName = counter ? family.substring(0, family.length() - "_total".length()) : family;
            out.write("# TYPE " + familyName + (counter ? " counter\n" : " gauge\n"));
            for (int s = 0; s < series.length; s++) {
                if (!series[s].name().equals(family)) {
                    continue;
                }
                String labels = "{instance=\"node-" + s + ":9100\",job=\"node\"}";
                long[] timestamps = series[s].timestamps();
                double[] values = series[s].values();
                for (int i = 0; i < timestamps.length; i++) {
                    out.write(family + labels + " " + Double.toString(values[i]) + " " + seconds(timestamps[i]) + "\n");
                }
            }
        }
        out.write("# EOF\n");
    }

    private static String seconds(long millis) {
        long fraction = millis % 1000;
        return fraction == 0 ? Long.toString(millis / 1000) : millis / 1000 + "." + String.format("%03d", fraction);
    }
}
