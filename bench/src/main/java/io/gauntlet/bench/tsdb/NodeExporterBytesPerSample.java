package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Bench command: bytes per sample of {@link NodeExporterLikeData} (hosts × ~270 series, 15 s scrapes, several 2 h
 * blocks) written once by {@code promtool tsdb create-blocks-from openmetrics} and once by Gauntlet's
 * {@link BlockWriter} with promtool's backfill chunk range; prints chunk payload bytes per sample and segment-file
 * bytes per sample for both, fails unless they are equal, and breaks the payload down by series shape.
 * Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.tsdb.NodeExporterBytesPerSample [hosts] [hours] [off-grid fraction]}.
 */
public final class NodeExporterBytesPerSample {
    private static final long BLOCK = 7_200_000L;

    private NodeExporterBytesPerSample() {
    }

    /** Chunk payload (XOR data incl. its 2-byte sample count) and whole segment files, in bytes. */
    record ChunkBytes(long payload, long files, long chunks) {
        ChunkBytes plus(ChunkBytes other) {
            return new ChunkBytes(payload + other.payload, files + other.files, chunks + other.chunks);
        }
    }

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        double offGrid = args.length > 2 ? Double.parseDouble(args[2]) : 0.2;
        long from = 1_800_000_000_000L / BLOCK * BLOCK;
        long to = from + hours * 3_600_000L;
        List<NodeExporterLikeData.Series> series = new ArrayList<>(NodeExporterLikeData.generate(hosts, from, to, offGrid, 17));
        series.sort(Comparator.comparing(NodeExporterLikeData.Series::labels));
        long samples = series.stream().mapToLong(s -> s.timestamps().length).sum();
        Path work = Files.createTempDirectory("gauntlet-node-bps");
        try {
            Path input = work.resolve("node.om");
            writeOpenMetrics(input, series);
            Path promtoolOut = work.resolve("promtool");
            long started = System.nanoTime();
            Process promtool = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", input.toString(),
                    promtoolOut.toString()).redirectErrorStream(true).redirectOutput(work.resolve("promtool.log").toFile()).start();
            if (promtool.waitFor() != 0) {
                throw new IllegalStateException("promtool failed: " + Files.readString(work.resolve("promtool.log")));
            }
            long promtoolMillis = (System.nanoTime() - started) / 1_000_000;
            List<Path> promtoolBlocks = blocks(promtoolOut);
            long promtoolSamples = 0;
            ChunkBytes promtoolBytes = new ChunkBytes(0, 0, 0);
            for (Path block : promtoolBlocks) {
                promtoolSamples += BlockMeta.read(block).stats().numSamples();
                promtoolBytes = promtoolBytes.plus(chunkBytes(block));
            }
            if (promtoolSamples != samples) {
                throw new IllegalStateException("promtool blocks hold " + promtoolSamples + " samples, " + samples + " were written");
            }
            Path ourOut = Files.createDirectories(work.resolve("gauntlet"));
            started = System.nanoTime();
            ChunkBytes ourBytes = new ChunkBytes(0, 0, 0);
            Map<NodeExporterLikeData.Shape, long[]> byShape = new EnumMap<>(NodeExporterLikeData.Shape.class);
            int blockCount = 0;
            for (long blockStart = from; blockStart < to; blockStart += BLOCK) {
                long blockEnd = blockStart + BLOCK;
                try (BlockWriter writer = BlockWriter.create(ourOut, blockStart, blockEnd,
                        BlockWriter.Options.defaults().withChunkRange(SeriesChunkCutter.backfillChunkRange(BLOCK)))) {
                    for (NodeExporterLikeData.Series one : series) {
                        long[] ts = one.timestamps();
                        int lo = lowerBound(ts, blockStart);
                        int hi = lowerBound(ts, blockEnd);
                        if (hi == lo) {
                            continue;
                        }
                        long[] blockTs = Arrays.copyOfRange(ts, lo, hi);
                        double[] blockVs = Arrays.copyOfRange(one.values(), lo, hi);
                        writer.addSeries(one.labels(), blockTs, blockVs, blockTs.length);
                        long[] shape = byShape.computeIfAbsent(one.shape(), k -> new long[3]);
                        for (SeriesChunkCutter.CutChunk chunk : SeriesChunkCutter.cut(blockTs, blockVs, blockTs.length,
                                SeriesChunkCutter.backfillChunkRange(BLOCK))) {
                            shape[0] += chunk.data().length;
                        }
                        shape[1] += blockTs.length;
                        if (lo == 0) {
                            shape[2]++;
                        }
                    }
                    BlockMeta meta = writer.commit();
                    ourBytes = ourBytes.plus(chunkBytes(ourOut.resolve(meta.ulid().toString())));
                    blockCount++;
                }
            }
            long ourMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("node_exporter-like data: %d hosts, %d h, %,d series, %,d samples, 15 s scrapes (%.0f %% 3-5 ms off the grid); promtool wrote %d blocks (%d ms), "
                    + "BlockWriter %d blocks (%d ms)%n", hosts, hours, series.size(), samples, offGrid * 100, promtoolBlocks.size(), promtoolMillis, blockCount,
                    ourMillis);
            print("promtool tsdb create-blocks-from openmetrics", promtoolBytes, samples);
            print("Gauntlet BlockWriter, backfill chunk range", ourBytes, samples);
            System.out.println("chunk payload bytes/sample by series shape (series, share of samples, share of payload):");
            long shapePayload = byShape.values().stream().mapToLong(v -> v[0]).sum();
            for (Map.Entry<NodeExporterLikeData.Shape, long[]> e : byShape.entrySet()) {
                long[] v = e.getValue();
                System.out.printf("  %-16s %8.4f  (%,6d series, %5.1f %% of samples, %5.1f %% of payload)%n", e.getKey(), (double) v[0] / v[1], v[2],
                        100.0 * v[1] / samples, 100.0 * v[0] / shapePayload);
            }
            long[] full = byShape.getOrDefault(NodeExporterLikeData.Shape.FULL_PRECISION, new long[3]);
            System.out.printf("  without FULL_PRECISION series: %.4f%n", (double) (shapePayload - full[0]) / (samples - full[1]));
            if (!promtoolBytes.equals(ourBytes)) {
                throw new IllegalStateException("promtool wrote " + promtoolBytes + ", BlockWriter " + ourBytes);
            }
            System.out.println("promtool and BlockWriter chunk bytes are equal");
        } finally {
            deleteTree(work);
        }
    }

    private static void print(String who, ChunkBytes bytes, long samples) {
        System.out.printf("%-46s %,d chunks: payload %.4f B/sample (%,d B), segment files %.4f B/sample (%,d B)%n", who, bytes.chunks,
                (double) bytes.payload / samples, bytes.payload, (double) bytes.files / samples, bytes.files);
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static int lowerBound(long[] sorted, long key) {
        int i = Arrays.binarySearch(sorted, key);
        return i >= 0 ? i : -i - 1;
    }

    static List<Path> blocks(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.exists(p.resolve("meta.json"))).sorted().toList();
        }
    }

    /**
     * Walks the segment files: 8-byte header, then per chunk a uvarint length, 1 encoding byte, the data, a CRC32.
     */
    static ChunkBytes chunkBytes(Path block) throws IOException {
        long payload = 0;
        long files = 0;
        long chunks = 0;
        try (Stream<Path> entries = Files.list(block.resolve("chunks"))) {
            for (Path file : entries.sorted().toList()) {
                ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file));
                files += buffer.capacity();
                buffer.position(8);
                while (buffer.hasRemaining()) {
                    long length = 0;
                    int shift = 0;
                    byte b;
                    do {
                        b = buffer.get();
                        length |= (long) (b & 0x7F) << shift;
                        shift += 7;
                    } while (b < 0);
                    if (length == 0) {
                        break; // zero padding at the end of a pre-allocated segment
                    }
                    buffer.position(buffer.position() + 1 + (int) length + 4);
                    payload += length;
                    chunks++;
                }
            }
        }
        return new ChunkBytes(payload, files, chunks);
    }

    /** One OpenMetrics family after the other, each series' samples together, timestamps in seconds with ms decimals. */
    private static void writeOpenMetrics(Path file, List<NodeExporterLikeData.Series> sorted) throws IOException {
        Map<String, List<NodeExporterLikeData.Series>> families = new LinkedHashMap<>();
        for (NodeExporterLikeData.Series one : sorted) {
            families.computeIfAbsent(one.family(), k -> new ArrayList<>()).add(one);
        }
        StringBuilder line = new StringBuilder(256);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW)) {
            for (Map.Entry<String, List<NodeExporterLikeData.Series>> family : families.entrySet()) {
                out.write("# TYPE " + family.getKey() + " " + family.getValue().getFirst().type() + "\n");
                for (NodeExporterLikeData.Series one : family.getValue()) {
                    StringBuilder name = new StringBuilder(one.labels().get("__name__")).append('{');
                    boolean first = true;
                    for (int i = 0; i < one.labels().size(); i++) {
                        if (one.labels().name(i).equals("__name__")) {
                            continue;
                        }
                        name.append(first ? "" : ",").append(one.labels().name(i)).append("=\"").append(one.labels().value(i)).append('"');
                        first = false;
                    }
                    name.append("} ");
                    long[] ts = one.timestamps();
                    double[] vs = one.values();
                    for (int i = 0; i < ts.length; i++) {
                        line.setLength(0);
                        line.append(name).append(vs[i]).append(' ').append(seconds(ts[i])).append('\n');
                        out.append(line);
                    }
                }
            }
            out.write("# EOF\n");
        }
    }

    /**
     * Seconds with ms decimals; promtool truncates {@code seconds * 1000} to an integer, so where the float product
     * would land just below the millisecond a trailing 5 (half a millisecond) keeps the same timestamp.
     */
    static String seconds(long millis) {
        String text = millis / 1000 + "." + String.format("%03d", millis % 1000);
        return (long) (Double.parseDouble(text) * 1000) == millis ? text : text + "5";
    }
}
