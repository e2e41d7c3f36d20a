package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.index.Utf8Order;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A block's {@code meta.json}: Prometheus' block meta plus the optional {@code thanos} section. Fields this
 * class does not know are kept, at every level, and written back after the known ones, so a read-modify-write
 * by Gauntlet loses nothing a newer Prometheus or Thanos put there. Written as Go writes it (tab-indented,
 * {@code omitempty} where Prometheus/Thanos declare it).
 *
 * @param thanos the Thanos section, or null for a plain Prometheus block
 * @param unknownFields top-level fields this class does not model, in file order
 */
public record BlockMeta(Ulid ulid, long minTime, long maxTime, Stats stats, Compaction compaction, int version, Thanos thanos,
                        Map<String, JsonNode> unknownFields) {
    public static final String FILE = "meta.json";
    public static final int VERSION = 1;
    /** Downsampling resolutions Thanos uses: raw, 5 minutes, 1 hour. */
    public static final Set<Long> RESOLUTIONS = Set.of(0L, 300_000L, 3_600_000L);

    /** Go's zero {@code time.Time}, which a Go writer emits for an unset time field. */
    static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private static final Set<String> KNOWN = Set.of("ulid", "minTime", "maxTime", "stats", "compaction", "version", "thanos");

    public BlockMeta {
        Objects.requireNonNull(ulid, "ulid");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(compaction, "compaction");
        unknownFields = GoJson.copyOf(unknownFields);
    }

    /** A version-1 meta without a Thanos section. */
    public static BlockMeta of(Ulid ulid, long minTime, long maxTime, Stats stats, Compaction compaction) {
        return new BlockMeta(ulid, minTime, maxTime, stats, compaction, VERSION, null, Map.of());
    }

    public BlockMeta withThanos(Thanos newThanos) {
        return new BlockMeta(ulid, minTime, maxTime, stats, compaction, version, newThanos, unknownFields);
    }

    public BlockMeta withStats(Stats newStats) {
        return new BlockMeta(ulid, minTime, maxTime, newStats, compaction, version, thanos, unknownFields);
    }

    public BlockMeta withCompaction(Compaction newCompaction) {
        return new BlockMeta(ulid, minTime, maxTime, stats, newCompaction, version, thanos, unknownFields);
    }

    public BlockMeta withUlid(Ulid newUlid) {
        return new BlockMeta(newUlid, minTime, maxTime, stats, compaction, version, thanos, unknownFields);
    }

    public BlockMeta withTimeRange(long newMinTime, long newMaxTime) {
        return new BlockMeta(ulid, newMinTime, newMaxTime, stats, compaction, version, thanos, unknownFields);
    }

    /**
     * What keeps this meta from being a valid Thanos bucket block (empty when none): a missing Thanos section or
     * external labels, an unknown resolution, an empty time range, a compaction level below 1.
     */
    public List<String> bucketProblems() {
        List<String> problems = new ArrayList<>();
        if (thanos == null) {
            problems.add("block " + ulid + ": meta.json has no thanos section");
        } else {
            if (thanos.labels().isEmpty()) {
                problems.add("block " + ulid + ": thanos.labels (external labels) are empty");
            }
            if (!RESOLUTIONS.contains(thanos.downsample().resolution())) {
                problems.add("block " + ulid + ": unknown downsample resolution " + thanos.downsample().resolution());
            }
        }
        if (minTime >= maxTime) {
            problems.add("block " + ulid + ": empty time range [" + minTime + ", " + maxTime + ")");
        }
        if (compaction.level() < 1) {
            problems.add("block " + ulid + ": compaction level " + compaction.level() + " below 1");
        }
        return problems;
    }

    // ---- reading ----

    /** Reads {@code <block dir>/meta.json}. */
    public static BlockMeta read(Path blockDirectory) throws IOException, CorruptedDataException, UnsupportedMetaVersionException {
        Path file = blockDirectory.resolve(FILE);
        return parse(Files.readAllBytes(file), blockDirectory.getFileName() == null ? "" : blockDirectory.getFileName().toString());
    }

    /**
     * Parses meta.json content; {@code block} names the block in errors.
     *
     * @throws UnsupportedMetaVersionException when {@code version} (or {@code thanos.version}) is not 1
     * @throws CorruptedDataException when the JSON is malformed or a field has the wrong type
     */
    public static BlockMeta parse(byte[] json, String block) throws CorruptedDataException, UnsupportedMetaVersionException {
        JsonFields fields = new JsonFields(block, FILE);
        ObjectNode root = GoJson.parseObject(json, block, FILE);
        long version = fields.optionalLong(root, "version");
        if (version != VERSION) {
            throw new UnsupportedMetaVersionException(block, FILE, version);
        }
        JsonNode thanos = fields.optionalObject(root, "thanos");
        return new BlockMeta(
                fields.requiredUlid(root, "ulid"),
                fields.requiredLong(root, "minTime"),
                fields.requiredLong(root, "maxTime"),
                Stats.parse(fields, fields.optionalObject(root, "stats")),
                Compaction.parse(fields, fields.optionalObject(root, "compaction")),
                VERSION,
                thanos == null ? null : Thanos.parse(fields, thanos),
                GoJson.unknownFields(root, KNOWN));
    }

    // ---- writing ----

    /**
     * The file content, byte-compatible with what Prometheus and Thanos write for the same values: Prometheus
     * ({@code json.MarshalIndent}) ends without a newline, Thanos ({@code json.Encoder}) with one — so a meta with
     * a Thanos section ends with a newline.
     */
    public byte[] toJson() {
        return GoJson.indented(toNode(), thanos != null);
    }

    ObjectNode toNode() {
        ObjectNode root = GoJson.NODES.objectNode();
        root.put("ulid", ulid.toString());
        root.put("minTime", minTime);
        root.put("maxTime", maxTime);
        root.set("stats", stats.toNode());
        root.set("compaction", compaction.toNode());
        root.put("version", version);
        if (thanos != null) {
            root.set("thanos", thanos.toNode());
        }
        unknownFields.forEach(root::set);
        return root;
    }

    /** Writes {@code <block dir>/meta.json} atomically: temporary file, fsync, rename, fsync of the directory. */
    public void writeTo(Path blockDirectory) throws IOException {
        Path target = blockDirectory.resolve(FILE);
        Path temporary = blockDirectory.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(toJson());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(blockDirectory, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename itself is atomic
        }
    }

    // ---- nested sections ----

    /** {@code stats}: every count is written only when non-zero (Prometheus' omitempty). */
    public record Stats(long numSamples, long numFloatSamples, long numHistogramSamples, long numSeries, long numChunks,
                        long numTombstones, Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("numSamples", "numFloatSamples", "numHistogramSamples", "numSeries", "numChunks",
                "numTombstones");

        public Stats {
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static Stats of(long numSamples, long numSeries, long numChunks) {
            return new Stats(numSamples, 0, 0, numSeries, numChunks, 0, Map.of());
        }

        static Stats parse(JsonFields fields, JsonNode node) throws CorruptedDataException {
            if (node == null) {
                return of(0, 0, 0);
            }
            return new Stats(fields.optionalLong(node, "numSamples"), fields.optionalLong(node, "numFloatSamples"),
                    fields.optionalLong(node, "numHistogramSamples"), fields.optionalLong(node, "numSeries"),
                    fields.optionalLong(node, "numChunks"), fields.optionalLong(node, "numTombstones"), GoJson.unknownFields(node, KNOWN));
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            putNonZero(node, "numSamples", numSamples);
            putNonZero(node, "numFloatSamples", numFloatSamples);
            putNonZero(node, "numHistogramSamples", numHistogramSamples);
            putNonZero(node, "numSeries", numSeries);
            putNonZero(node, "numChunks", numChunks);
            putNonZero(node, "numTombstones", numTombstones);
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /** {@code compaction}: level, source ULIDs (level-1 ancestors) and direct parents. */
    public record Compaction(int level, List<Ulid> sources, boolean deletable, List<BlockDesc> parents, boolean failed, List<String> hints,
                             Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("level", "sources", "deletable", "parents", "failed", "hints");

        public Compaction {
            sources = List.copyOf(sources);
            parents = List.copyOf(parents);
            hints = List.copyOf(hints);
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static Compaction of(int level, List<Ulid> sources, List<BlockDesc> parents) {
            return new Compaction(level, sources, false, parents, false, List.of(), Map.of());
        }

        static Compaction parse(JsonFields fields, JsonNode node) throws CorruptedDataException {
            if (node == null) {
                return of(0, List.of(), List.of());
            }
            long level = fields.optionalLong(node, "level");
            if (level < 0 || level > Integer.MAX_VALUE) {
                throw fields.error("compaction level " + level + " out of range");
            }
            List<Ulid> sources = new ArrayList<>();
            for (JsonNode source : fields.optionalArray(node, "sources")) {
                sources.add(fields.ulid(source, "compaction.sources"));
            }
            List<BlockDesc> parents = new ArrayList<>();
            for (JsonNode parent : fields.optionalArray(node, "parents")) {
                if (!parent.isObject()) {
                    throw fields.error("compaction.parents holds a non-object: " + parent);
                }
                parents.add(new BlockDesc(fields.requiredUlid(parent, "ulid"), fields.requiredLong(parent, "minTime"),
                        fields.requiredLong(parent, "maxTime"), GoJson.unknownFields(parent, BlockDesc.KNOWN)));
            }
            return new Compaction((int) level, sources, fields.optionalBoolean(node, "deletable"), parents,
                    fields.optionalBoolean(node, "failed"), fields.optionalStrings(node, "hints"), GoJson.unknownFields(node, KNOWN));
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            node.put("level", level);
            if (!sources.isEmpty()) {
                ArrayNode array = node.putArray("sources");
                sources.forEach(source -> array.add(source.toString()));
            }
            if (deletable) {
                node.put("deletable", true);
            }
            if (!parents.isEmpty()) {
                ArrayNode array = node.putArray("parents");
                parents.forEach(parent -> array.add(parent.toNode()));
            }
            if (failed) {
                node.put("failed", true);
            }
            if (!hints.isEmpty()) {
                ArrayNode array = node.putArray("hints");
                hints.forEach(array::add);
            }
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /** A parent block in {@code compaction.parents}. */
    public record BlockDesc(Ulid ulid, long minTime, long maxTime, Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("ulid", "minTime", "maxTime");

        public BlockDesc {
            Objects.requireNonNull(ulid, "ulid");
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static BlockDesc of(Ulid ulid, long minTime, long maxTime) {
            return new BlockDesc(ulid, minTime, maxTime, Map.of());
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            node.put("ulid", ulid.toString());
            node.put("minTime", minTime);
            node.put("maxTime", maxTime);
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /**
     * The {@code thanos} section, written in the order of Thanos' Go struct: version, labels, downsample, source,
     * segment_files, files, rewrites, index_stats, extensions, upload_time; fields no Thanos version knows follow.
     *
     * @param version the section's version: 0 when absent (meaning 1, and written only when non-zero) or 1
     * @param labels external labels, sorted by name in byte order (as Go writes a map)
     * @param source the uploading component: sidecar, receive, compactor, ruler, bucket.upload, …
     * @param segmentFiles chunk segment file names ({@code 000001}, …), written only when non-empty (deprecated by Thanos
     *                     in favour of {@code files}, still written by its compactor and shipper)
     * @param rewrites what {@code tools bucket rewrite} applied (a JSON array, kept as is), or null
     * @param extensions arbitrary data of other tools (a JSON value, written with object keys sorted as Go does), or null
     * @param uploadTime when the block went into the bucket (RFC 3339), or null: written only when set
     */
    public record Thanos(int version, Map<String, String> labels, Downsample downsample, String source, List<String> segmentFiles, List<File> files,
                         JsonNode rewrites, IndexStats indexStats, JsonNode extensions, OffsetDateTime uploadTime,
                         Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("version", "labels", "downsample", "source", "segment_files", "files", "rewrites",
                "index_stats", "extensions", "upload_time");

        public Thanos {
            TreeMap<String, String> sorted = new TreeMap<>(Utf8Order::compare);
            sorted.putAll(labels);
            labels = java.util.Collections.unmodifiableMap(sorted);
            Objects.requireNonNull(downsample, "downsample");
            Objects.requireNonNull(source, "source");
            segmentFiles = List.copyOf(segmentFiles);
            files = List.copyOf(files);
            rewrites = rewrites == null || rewrites.isNull() ? null : rewrites.deepCopy();
            Objects.requireNonNull(indexStats, "indexStats");
            extensions = extensions == null || extensions.isNull() ? null : extensions.deepCopy();
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static Thanos of(Map<String, String> labels, long resolution, String source) {
            return new Thanos(0, labels, new Downsample(resolution, Map.of()), source, List.of(), List.of(), null, IndexStats.NONE, null, null,
                    Map.of());
        }

        public Thanos withFiles(List<File> newFiles) {
            return new Thanos(version, labels, downsample, source, segmentFiles, newFiles, rewrites, indexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withSegmentFiles(List<String> newSegmentFiles) {
            return new Thanos(version, labels, downsample, source, newSegmentFiles, files, rewrites, indexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withIndexStats(IndexStats newIndexStats) {
            return new Thanos(version, labels, downsample, source, segmentFiles, files, rewrites, newIndexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withSource(String newSource) {
            return new Thanos(version, labels, downsample, newSource, segmentFiles, files, rewrites, indexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withLabels(Map<String, String> newLabels) {
            return new Thanos(version, newLabels, downsample, source, segmentFiles, files, rewrites, indexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withDownsample(long resolution) {
            return new Thanos(version, labels, new Downsample(resolution, downsample.unknownFields()), source, segmentFiles, files, rewrites,
                    indexStats, extensions, uploadTime, unknownFields);
        }

        public Thanos withRewrites(JsonNode newRewrites) {
            return new Thanos(version, labels, downsample, source, segmentFiles, files, newRewrites, indexStats, extensions, uploadTime,
                    unknownFields);
        }

        public Thanos withExtensions(JsonNode newExtensions) {
            return new Thanos(version, labels, downsample, source, segmentFiles, files, rewrites, indexStats, newExtensions, uploadTime,
                    unknownFields);
        }

        /** With {@code upload_time} set to {@code time} in UTC, as a writer does when the block goes into the bucket. */
        public Thanos withUploadTime(Instant time) {
            return new Thanos(version, labels, downsample, source, segmentFiles, files, rewrites, indexStats, extensions,
                    time == null ? null : time.atOffset(ZoneOffset.UTC), unknownFields);
        }

        /** The upload time, if one is set and is not Go's zero time. */
        public java.util.Optional<Instant> uploadInstant() {
            return uploadTime == null || uploadTime.toInstant().equals(GO_ZERO_TIME) ? java.util.Optional.empty()
                    : java.util.Optional.of(uploadTime.toInstant());
        }

        static Thanos parse(JsonFields fields, JsonNode node) throws CorruptedDataException, UnsupportedMetaVersionException {
            long version = fields.optionalLong(node, "version");
            if (version != 0 && version != 1) { // absent means 1
                throw new UnsupportedMetaVersionException(fields.block(), FILE + " thanos section", version);
            }
            Map<String, String> labels = new TreeMap<>(Utf8Order::compare);
            JsonNode labelNode = fields.optionalObject(node, "labels");
            if (labelNode != null) {
                for (var it = labelNode.fields(); it.hasNext(); ) {
                    var label = it.next();
                    if (!label.getValue().isTextual()) {
                        throw fields.error("thanos.labels." + label.getKey() + " is not a string: " + label.getValue());
                    }
                    labels.put(label.getKey(), label.getValue().textValue());
                }
            }
            JsonNode downsampleNode = fields.optionalObject(node, "downsample");
            Downsample downsample = downsampleNode == null ? new Downsample(0, Map.of())
                    : new Downsample(fields.optionalLong(downsampleNode, "resolution"), GoJson.unknownFields(downsampleNode, Downsample.KNOWN));
            List<File> files = new ArrayList<>();
            for (JsonNode file : fields.optionalArray(node, "files")) {
                if (!file.isObject()) {
                    throw fields.error("thanos.files holds a non-object: " + file);
                }
                files.add(new File(fields.optionalString(file, "rel_path"), fields.optionalLong(file, "size_bytes"),
                        GoJson.unknownFields(file, File.KNOWN)));
            }
            JsonNode rewrites = node.get("rewrites");
            if (rewrites != null && !rewrites.isNull() && !rewrites.isArray()) {
                throw fields.error("field \"rewrites\" is not an array: " + rewrites);
            }
            JsonNode statsNode = fields.optionalObject(node, "index_stats");
            IndexStats indexStats = statsNode == null ? IndexStats.NONE : IndexStats.parse(fields, statsNode);
            String uploadText = fields.optionalString(node, "upload_time");
            OffsetDateTime uploadTime = null;
            if (!uploadText.isEmpty()) {
                try {
                    uploadTime = OffsetDateTime.parse(uploadText, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                } catch (java.time.format.DateTimeParseException e) {
                    throw fields.error("thanos.upload_time is not an RFC 3339 time: " + uploadText);
                }
            }
            return new Thanos((int) version, labels, downsample, fields.optionalString(node, "source"),
                    fields.optionalStrings(node, "segment_files"), files, rewrites, indexStats, node.get("extensions"), uploadTime,
                    GoJson.unknownFields(node, KNOWN));
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            if (version != 0) {
                node.put("version", version);
            }
            ObjectNode labelNode = node.putObject("labels");
            labels.forEach(labelNode::put);
            node.set("downsample", downsample.toNode());
            node.put("source", source);
            if (!segmentFiles.isEmpty()) {
                ArrayNode array = node.putArray("segment_files");
                segmentFiles.forEach(array::add);
            }
            if (!files.isEmpty()) {
                ArrayNode array = node.putArray("files");
                files.forEach(file -> array.add(file.toNode()));
            }
            if (rewrites != null && !rewrites.isEmpty()) {
                node.set("rewrites", rewrites);
            }
            node.set("index_stats", indexStats.toNode());
            if (extensions != null) {
                node.set("extensions", GoJson.withSortedKeys(extensions)); // Go decodes it into a map and writes keys sorted
            }
            if (uploadTime != null) {
                node.put("upload_time", GoJson.rfc3339Nano(uploadTime));
            }
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /** {@code thanos.downsample}: the resolution in ms (0 raw, 300000 = 5m, 3600000 = 1h). */
    public record Downsample(long resolution, Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("resolution");

        public Downsample {
            unknownFields = GoJson.copyOf(unknownFields);
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            node.put("resolution", resolution);
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /** An entry of {@code thanos.files}; {@code size_bytes} is written only when non-zero (meta.json has none). */
    public record File(String relPath, long sizeBytes, Map<String, JsonNode> unknownFields) {
        private static final Set<String> KNOWN = Set.of("rel_path", "size_bytes");

        public File {
            Objects.requireNonNull(relPath, "relPath");
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static File of(String relPath, long sizeBytes) {
            return new File(relPath, sizeBytes, Map.of());
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            node.put("rel_path", relPath);
            putNonZero(node, "size_bytes", sizeBytes);
            unknownFields.forEach(node::set);
            return node;
        }
    }

    /**
     * {@code thanos.index_stats}: the largest series entry and chunk in bytes (as they lie in the files, so a reader can
     * fetch one in a single range read) and the series size percentiles Thanos has fields for, each written only when
     * non-zero, in Thanos' field order.
     */
    public record IndexStats(long seriesMaxSize, long seriesP90Size, long seriesP99Size, long seriesP999Size, long seriesP99999Size,
                             long chunkMaxSize, Map<String, JsonNode> unknownFields) {
        public static final IndexStats NONE = new IndexStats(0, 0, 0, 0, 0, 0, Map.of());
        private static final Set<String> KNOWN = Set.of("series_max_size", "series_p90_size", "series_p99_size", "series_p999_size",
                "series_p99999_size", "chunk_max_size");

        public IndexStats {
            unknownFields = GoJson.copyOf(unknownFields);
        }

        public static IndexStats of(long seriesMaxSize, long chunkMaxSize) {
            return new IndexStats(seriesMaxSize, 0, 0, 0, 0, chunkMaxSize, Map.of());
        }

        static IndexStats parse(JsonFields fields, JsonNode node) throws CorruptedDataException {
            return new IndexStats(fields.optionalLong(node, "series_max_size"), fields.optionalLong(node, "series_p90_size"),
                    fields.optionalLong(node, "series_p99_size"), fields.optionalLong(node, "series_p999_size"),
                    fields.optionalLong(node, "series_p99999_size"), fields.optionalLong(node, "chunk_max_size"),
                    GoJson.unknownFields(node, KNOWN));
        }

        ObjectNode toNode() {
            ObjectNode node = GoJson.NODES.objectNode();
            putNonZero(node, "series_max_size", seriesMaxSize);
            putNonZero(node, "series_p90_size", seriesP90Size);
            putNonZero(node, "series_p99_size", seriesP99Size);
            putNonZero(node, "series_p999_size", seriesP999Size);
            putNonZero(node, "series_p99999_size", seriesP99999Size);
            putNonZero(node, "chunk_max_size", chunkMaxSize);
            unknownFields.forEach(node::set);
            return node;
        }
    }

    private static void putNonZero(ObjectNode node, String field, long value) {
        if (value != 0) {
            node.put(field, value);
        }
    }
}
