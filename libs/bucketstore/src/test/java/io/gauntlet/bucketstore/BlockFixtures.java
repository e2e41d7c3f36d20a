package io.gauntlet.bucketstore;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test support: uploads local blocks to a bucket as Thanos would, and compares store answers with promtool dumps. */
public final class BlockFixtures {
    private BlockFixtures() {
    }

    /** Uploads a block directory with a Thanos section in meta.json; chunks and index first, meta.json last. */
    public static BlockMeta upload(Bucket bucket, Path blockDir, Map<String, String> externalLabels, long resolution) throws IOException,
            StorageException {
        BlockMeta meta = BlockMeta.read(blockDir);
        String id = meta.ulid().toString();
        List<BlockMeta.File> files = new ArrayList<>();
        try (Stream<Path> chunks = Files.list(blockDir.resolve("chunks"))) {
            for (Path chunk : chunks.sorted().toList()) {
                bucket.upload(id + "/chunks/" + chunk.getFileName(), chunk);
                files.add(BlockMeta.File.of("chunks/" + chunk.getFileName(), Files.size(chunk)));
            }
        }
        bucket.upload(id + "/index", blockDir.resolve("index"));
        files.add(BlockMeta.File.of("index", Files.size(blockDir.resolve("index"))));
        files.add(BlockMeta.File.of("meta.json", 0));
        BlockMeta withThanos = meta.withThanos(BlockMeta.Thanos.of(externalLabels, resolution, "sidecar").withFiles(files));
        byte[] json = withThanos.toJson();
        bucket.upload(id + "/meta.json", new java.io.ByteArrayInputStream(json), json.length);
        return withThanos;
    }

    /** One line of {@code promtool tsdb dump}: labels as Go prints them, value, timestamp. */
    public record Sample(String labels, double value, long timestamp) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Sample s && s.labels.equals(labels) && s.timestamp == timestamp
                    && (Double.isNaN(value) ? Double.isNaN(s.value) : Double.doubleToLongBits(value) == Double.doubleToLongBits(s.value));
        }

        @Override
        public int hashCode() {
            return labels.hashCode() * 31 + Long.hashCode(timestamp);
        }

        @Override
        public String toString() {
            return labels + " " + value + " " + timestamp;
        }
    }

    /** {@code promtool tsdb dump --match --min-time --max-time} of a directory of blocks. */
    public static List<Sample> promtoolDump(Path databaseDir, List<LabelMatcher> matchers, long minTime, long maxTime) throws IOException {
        Files.createDirectories(databaseDir.resolve("wal"));
        String out = Promtool.require().run("tsdb", "dump", "--min-time=" + minTime, "--max-time=" + maxTime, "--match=" + selector(matchers),
                databaseDir.toString());
        List<Sample> samples = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            int valueEnd = line.lastIndexOf(' ');
            int labelsEnd = line.lastIndexOf(' ', valueEnd - 1);
            samples.add(new Sample(line.substring(0, labelsEnd), parseGoFloat(line.substring(labelsEnd + 1, valueEnd)),
                    Long.parseLong(line.substring(valueEnd + 1))));
        }
        return samples;
    }

    /** A PromQL selector for the matchers; one that only matches empty values gets {@code __name__=~".+"} too. */
    public static String selector(List<LabelMatcher> matchers) {
        StringBuilder out = new StringBuilder("{");
        boolean nonEmpty = false;
        for (LabelMatcher m : matchers) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(m.name()).append(m.type().symbol()).append('"');
            quoteInto(out, m.value(), true);
            out.append('"');
            nonEmpty |= !m.matchesEmpty();
        }
        if (!nonEmpty) {
            out.append(out.length() > 1 ? "," : "").append("__name__=~\".+\"");
        }
        return out.append('}').toString();
    }

    /**
     * The samples of a store's answer in dump form, by the value of the external label {@code groupLabel}: labels
     * without it (promtool does not know external labels), samples within {@code [minTime, maxTime]} (chunks may reach
     * outside), series in label order. Also checks that the answer is sorted by its full labels.
     */
    public static Map<String, List<Sample>> samplesByGroup(ChunkSeriesSet set, String groupLabel, List<String> alsoDrop, long minTime,
            long maxTime)
            throws StorageException {
        TreeMap<String, TreeMap<Labels, List<Sample>>> groups = new TreeMap<>();
        XorSampleIterator iterator = new XorSampleIterator();
        Labels previous = null;
        while (set.next()) {
            Labels full = set.labels();
            if (previous != null && previous.compareTo(full) >= 0) {
                throw new AssertionError("series out of order: " + previous + " then " + full);
            }
            previous = full;
            List<String> drop = new ArrayList<>(alsoDrop);
            drop.add(groupLabel);
            Labels labels = full.without(drop);
            String text = goString(labels);
            List<Sample> out = groups.computeIfAbsent(String.valueOf(full.get(groupLabel)), k -> new TreeMap<>())
                    .computeIfAbsent(labels, k -> new ArrayList<>());
            for (EncodedChunk chunk : set.chunks()) {
                byte[] data = chunk.data();
                if (chunk.encoding() == 0xFF) {
                    data = AggregateChunk.decode(data).toByteArray(AggregateType.COUNT);
                }
                iterator.reset(data);
                while (iterator.next()) {
                    if (iterator.timestamp() >= minTime && iterator.timestamp() <= maxTime) {
                        out.add(new Sample(text, iterator.value(), iterator.timestamp()));
                    }
                }
            }
        }
        Map<String, List<Sample>> result = new TreeMap<>();
        groups.forEach((group, series) -> {
            List<Sample> all = new ArrayList<>();
            series.values().forEach(all::addAll);
            if (!all.isEmpty()) {
                result.put(group, all);
            }
        });
        return result;
    }

    static double parseGoFloat(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** Labels as Go's {@code labels.Labels.String()} prints them. */
    public static String goString(Labels labels) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(labels.name(i)).append("=\"");
            quoteInto(out, labels.value(i), false);
            out.append('"');
        }
        return out.append('}').toString();
    }

    private static void quoteInto(StringBuilder out, String value, boolean promql) {
        value.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (!promql && (c < 0x20 || c == 0x7F)) {
                        out.append(String.format("\\x%02x", c));
                    } else if (!promql && (c == 0xFFFD || Character.getType(c) == Character.PRIVATE_USE || Character.getType(c) == Character.UNASSIGNED)) {
                        out.append(c <= 0xFFFF ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
    }
}
