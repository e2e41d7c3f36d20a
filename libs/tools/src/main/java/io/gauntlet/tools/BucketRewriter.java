package io.gauntlet.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.rules.notifier.RelabelConfig;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code rewrite}, as Thanos' {@code tools bucket rewrite}: a block whose series went through the relabel configs
 * (a series relabelled to nothing is deleted, series relabelled to the same labels are merged) and then through the
 * deletion requests (a request without intervals deletes the whole series, one with intervals only the samples inside
 * them). The new block keeps the source's time range, compaction level, external labels and resolution; its
 * {@code meta.json} has {@code thanos.source: bucket.rewrite}, {@code compaction.sources} [its own ULID] and a
 * {@code thanos.rewrites} entry with the source's sources, the deletions and the relabels applied (Thanos' JSON).
 * Uploaded meta.json last and announced with {@code block.uploaded}; the source is marked for deletion only when asked
 * (as Thanos' {@code --delete-blocks}). A dry run only reports what would change.
 */
public final class BucketRewriter {
    /** The change-log file Thanos writes into the new block's local directory ({@code --rewrite.add-change-log}). */
    public static final String CHANGE_LOG = "change.log";

    /** A closed time range {@code [minTime, maxTime]} in milliseconds (Prometheus' tombstone interval). */
    public record Interval(long minTime, long maxTime) {
        public Interval {
            if (maxTime < minTime) {
                throw new IllegalArgumentException("interval maxt " + maxTime + " is before its mint " + minTime);
            }
        }

        boolean contains(long t) {
            return t >= minTime && t <= maxTime;
        }

        boolean overlaps(long min, long max) {
            return minTime <= max && min <= maxTime;
        }

        @Override
        public String toString() {
            return "{" + minTime + " " + maxTime + "}"; // Go's %v of tombstones.Interval
        }
    }

    /**
     * One Thanos {@code DeletionRequest}: series matching all matchers lose the samples inside {@code intervals}, or
     * the whole series when there are none.
     */
    public record DeletionRequest(List<LabelMatcher> matchers, List<Interval> intervals) {
        public DeletionRequest {
            matchers = List.copyOf(matchers);
            intervals = List.copyOf(intervals);
            if (matchers.isEmpty()) {
                throw new IllegalArgumentException("a deletion request needs at least one matcher");
            }
        }

        public DeletionRequest(List<LabelMatcher> matchers) {
            this(matchers, List.of());
        }

        /**
         * Thanos' {@code --rewrite.to-delete-config}: a YAML list of {@code {matchers: '<series selector>', intervals:
         * [{mint: ms, maxt: ms}…]}}.
         *
         * @throws IllegalArgumentException naming the entry that is wrong
         */
        public static List<DeletionRequest> parseYaml(String yaml) {
            JsonNode root;
            try {
                root = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException("the deletion config is not valid YAML: " + e.getOriginalMessage());
            }
            if (root == null || !root.isArray() || root.isEmpty()) {
                throw new IllegalArgumentException("the deletion config must be a YAML list of {matchers: '<series selector>'}");
            }
            List<DeletionRequest> requests = new ArrayList<>();
            for (JsonNode entry : root) {
                int index = requests.size();
                if (!entry.isObject() || !entry.path("matchers").isTextual()) {
                    throw new IllegalArgumentException("deletion request " + index + " has no 'matchers' selector");
                }
                for (var field : entry.properties()) {
                    if (!field.getKey().equals("matchers") && !field.getKey().equals("intervals")) {
                        throw new IllegalArgumentException("deletion request " + index + " has an unknown key '" + field.getKey() + "'");
                    }
                }
                List<Interval> intervals = new ArrayList<>();
                JsonNode list = entry.path("intervals");
                if (!list.isMissingNode() && !list.isNull()) {
                    if (!list.isArray()) {
                        throw new IllegalArgumentException("deletion request " + index + ": 'intervals' must be a list of {mint, maxt}");
                    }
                    for (JsonNode interval : list) {
                        if (!interval.isObject() || !interval.path("mint").canConvertToLong() || !interval.path("maxt").canConvertToLong()
                                || interval.size() != 2) {
                            throw new IllegalArgumentException("deletion request " + index + ": each interval must be {mint: <ms>, maxt: <ms>}, got "
                                    + interval);
                        }
                        try {
                            intervals.add(new Interval(interval.get("mint").asLong(), interval.get("maxt").asLong()));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("deletion request " + index + ": " + e.getMessage());
                        }
                    }
                }
                String selector = entry.path("matchers").textValue();
                try {
                    requests.add(new DeletionRequest(io.gauntlet.promql.parser.PromqlParser.parseMetricSelector(selector), intervals));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("deletion request " + index + ": selector " + selector + " is not valid: " + e.getMessage());
                }
            }
            return List.copyOf(requests);
        }

        boolean selects(Labels labels) {
            for (LabelMatcher matcher : matchers) {
                // as Thanos: a matcher on a label the series lacks never selects it
                if (!labels.has(matcher.name()) || !matcher.matches(labels)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What one block's rewrite did (or would do, in a dry run): series written, deleted whole, and relabelled. */
    public record Rewritten(Ulid source, Ulid target, long seriesKept, long seriesDeleted, long seriesRelabelled, boolean sourceMarked) {
    }

    private final Bucket bucket;
    private final ToolEvents events;
    private final Clock clock;

    public BucketRewriter(Bucket bucket, ToolEvents events, Clock clock) {
        this.bucket = bucket;
        this.events = events;
        this.clock = clock;
    }

    /** {@link #rewrite(Ulid, List, List, boolean, boolean, Path, Consumer)} without relabelling. */
    public Rewritten rewrite(Ulid ulid, List<DeletionRequest> deletions, boolean dryRun, boolean markSource, Path scratch,
            Consumer<String> changeLog) throws IOException, StorageException {
        return rewrite(ulid, deletions, List.of(), dryRun, markSource, scratch, changeLog);
    }

    /**
     * Rewrites one block in {@code scratch}.
     *
     * @param changeLog gets a line per change, as Thanos' change log: {@code Deleted {labels} [{mint maxt}…]} and
     *        {@code Relabelled {old} {new}}
     */
    public Rewritten rewrite(Ulid ulid, List<DeletionRequest> deletions, List<RelabelConfig> relabels, boolean dryRun, boolean markSource,
            Path scratch, Consumer<String> changeLog) throws IOException, StorageException {
        if (deletions.isEmpty() && relabels.isEmpty()) {
            throw new IllegalArgumentException("nothing to rewrite: give deletion requests, relabel configs or both");
        }
        if (!bucket.exists(ulid + "/meta.json")) {
            throw new ToolException("block " + ulid + " not found in bucket " + bucket.name());
        }
        Path source = BlockTransfer.download(bucket, ulid, scratch.resolve("source"));
        Ulid target = Ulid.generate(clock.millis());
        Counts counts = new Counts();
        try (BlockReader reader = BlockReader.open(source)) {
            BlockMeta meta = reader.meta();
            BlockMeta.Compaction compaction = meta.compaction();
            BlockMeta.Thanos thanos = meta.thanos() == null ? BlockMeta.Thanos.of(Map.of(), 0, "bucket.rewrite") : meta.thanos();
            BlockWriter.Options options = BlockWriter.Options.defaults().withUlid(target)
                    .withCompaction(new BlockMeta.Compaction(compaction.level(), List.of(target), compaction.deletable(), compaction.parents(),
                            compaction.failed(), compaction.hints(), compaction.unknownFields()))
                    .withThanos(thanos.withSource("bucket.rewrite").withRewrites(rewrites(thanos.rewrites(), compaction.sources(), deletions, relabels)));
            Path output = scratch.resolve("output");
            try (BlockWriter writer = dryRun ? null : BlockWriter.create(output, meta.minTime(), meta.maxTime(), options)) {
                ChunkSeriesSet series = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.regex("__name__", ".*")));
                if (relabels.isEmpty()) {
                    while (series.next()) {
                        write(writer, series.labels(), List.of(series.chunks()), deletions, changeLog, counts);
                    }
                } else {
                    // relabelled series change order and may merge: gather them first (as Thanos does)
                    TreeMap<Labels, List<List<EncodedChunk>>> relabelled = new TreeMap<>();
                    while (series.next()) {
                        Labels labels = series.labels();
                        List<EncodedChunk> chunks = series.chunks().stream()
                                .map(c -> new EncodedChunk(c.minTime(), c.maxTime(), c.encoding(), c.data().clone())).toList();
                        Labels processed = RelabelConfig.process(labels, relabels);
                        if (processed == null || processed.isEmpty()) {
                            changeLog.accept("Deleted " + GoFormat.labels(labels.toMap()) + " "
                                    + describe(List.of(new Interval(chunks.getFirst().minTime(), chunks.getLast().maxTime()))));
                            counts.deleted++;
                            continue;
                        }
                        if (!processed.equals(labels)) {
                            changeLog.accept("Relabelled " + GoFormat.labels(labels.toMap()) + " " + GoFormat.labels(processed.toMap()));
                            counts.relabelled++;
                        }
                        relabelled.computeIfAbsent(processed, l -> new ArrayList<>()).add(chunks);
                    }
                    for (Map.Entry<Labels, List<List<EncodedChunk>>> entry : relabelled.entrySet()) {
                        write(writer, entry.getKey(), entry.getValue(), deletions, changeLog, counts);
                    }
                }
                if (writer == null) {
                    return new Rewritten(ulid, target, counts.kept, counts.deleted, counts.relabelled, false);
                }
                BlockMeta written = writer.commit();
                BlockTransfer.upload(bucket, output.resolve(target.toString()), target);
                events.publish(BlockEventType.UPLOADED, written);
            }
        }
        boolean marked = markSource && new BlockMarker(bucket, events, clock).mark(ulid, DeletionMark.FILE, "block rewritten into " + target)
                == BlockMarker.Outcome.MARKED;
        return new Rewritten(ulid, target, counts.kept, counts.deleted, counts.relabelled, marked);
    }

    private static final class Counts {
        long kept;
        long deleted;
        long relabelled;
    }

    /** Writes one output series made of one or more source series' chunks, minus what the deletions select. */
    private static void write(BlockWriter writer, Labels labels, List<List<EncodedChunk>> sources, List<DeletionRequest> deletions,
            Consumer<String> changeLog, Counts counts) throws IOException, StorageException {
        List<Interval> intervals = new ArrayList<>();
        for (DeletionRequest deletion : deletions) {
            if (!deletion.selects(labels)) {
                continue;
            }
            if (deletion.intervals().isEmpty()) {
                long min = sources.stream().mapToLong(chunks -> chunks.getFirst().minTime()).min().orElseThrow();
                long max = sources.stream().mapToLong(chunks -> chunks.getLast().maxTime()).max().orElseThrow();
                changeLog.accept("Deleted " + GoFormat.labels(labels.toMap()) + " " + describe(List.of(new Interval(min, max))));
                counts.deleted++;
                return;
            }
            intervals = union(intervals, deletion.intervals());
        }
        List<EncodedChunk> chunks;
        List<Interval> deleted = new ArrayList<>();
        if (sources.size() == 1 && intervals.isEmpty()) {
            chunks = sources.getFirst();
        } else if (sources.size() == 1) {
            chunks = new ArrayList<>();
            for (EncodedChunk chunk : sources.getFirst()) {
                List<Interval> overlapping = intervals.stream().filter(i -> i.overlaps(chunk.minTime(), chunk.maxTime())).toList();
                if (overlapping.isEmpty()) {
                    chunks.add(chunk);
                } else if (overlapping.stream().anyMatch(i -> i.contains(chunk.minTime()) && i.contains(chunk.maxTime()))) {
                    deleted = union(deleted, List.of(new Interval(chunk.minTime(), chunk.maxTime())));
                } else {
                    for (Interval interval : overlapping) {
                        deleted = union(deleted, List.of(new Interval(Math.max(interval.minTime(), chunk.minTime()),
                                Math.min(interval.maxTime(), chunk.maxTime()))));
                    }
                    chunks.addAll(withoutSamplesIn(labels, List.of(chunk), overlapping));
                }
            }
        } else {
            // series relabelled into one: merged sample by sample (the first source wins a shared timestamp), then cut anew
            List<EncodedChunk> all = sources.stream().flatMap(List::stream).toList();
            long min = all.stream().mapToLong(EncodedChunk::minTime).min().orElseThrow();
            long max = all.stream().mapToLong(EncodedChunk::maxTime).max().orElseThrow();
            for (Interval interval : intervals) {
                if (interval.overlaps(min, max)) {
                    deleted = union(deleted, List.of(new Interval(Math.max(interval.minTime(), min), Math.min(interval.maxTime(), max))));
                }
            }
            chunks = withoutSamplesIn(labels, all, intervals);
        }
        if (!deleted.isEmpty()) {
            changeLog.accept("Deleted " + GoFormat.labels(labels.toMap()) + " " + describe(deleted));
        }
        if (chunks.isEmpty()) {
            counts.deleted++;
            return;
        }
        counts.kept++;
        if (writer != null) {
            writer.addSeries(labels, chunks);
        }
    }

    /** The float samples of {@code chunks} (merged by timestamp) outside every interval, cut into new XOR chunks. */
    private static List<EncodedChunk> withoutSamplesIn(Labels labels, List<EncodedChunk> chunks, List<Interval> intervals)
            throws StorageException {
        TreeMap<Long, Double> samples = new TreeMap<>();
        XorSampleIterator iterator = new XorSampleIterator();
        for (EncodedChunk chunk : chunks) {
            if (chunk.encoding() != ChunkEncoding.XOR.code()) {
                throw new ToolException("series " + labels + " has " + ChunkEncoding.ofCode(chunk.encoding()) + " chunks; only float (XOR)"
                        + " chunks can be cut by a deletion interval or merged by relabelling");
            }
            try {
                iterator.reset(chunk.data());
                while (iterator.next()) {
                    long t = iterator.timestamp();
                    if (intervals.stream().noneMatch(i -> i.contains(t))) {
                        samples.putIfAbsent(t, iterator.value());
                    }
                }
            } catch (CorruptedDataException e) {
                throw new ToolException("series " + labels + ": chunk at " + chunk.minTime() + " is unreadable: " + e.getMessage());
            }
        }
        long[] timestamps = new long[samples.size()];
        double[] values = new double[samples.size()];
        int n = 0;
        for (Map.Entry<Long, Double> sample : samples.entrySet()) {
            timestamps[n] = sample.getKey();
            values[n++] = sample.getValue();
        }
        return SeriesChunkCutter.cut(timestamps, values, n, SeriesChunkCutter.DEFAULT_CHUNK_RANGE).stream()
                .map(c -> new EncodedChunk(c.minTime(), c.maxTime(), ChunkEncoding.XOR.code(), c.data())).toList();
    }

    /** Prometheus' {@code Intervals.Add} for each of {@code more}: sorted, overlapping and adjacent intervals merged. */
    static List<Interval> union(List<Interval> intervals, List<Interval> more) {
        List<Interval> all = new ArrayList<>(intervals);
        all.addAll(more);
        all.sort((a, b) -> Long.compare(a.minTime(), b.minTime()));
        List<Interval> merged = new ArrayList<>();
        for (Interval interval : all) {
            Interval last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && interval.minTime() <= last.maxTime() + 1) {
                merged.set(merged.size() - 1, new Interval(last.minTime(), Math.max(last.maxTime(), interval.maxTime())));
            } else {
                merged.add(interval);
            }
        }
        return merged;
    }

    /**
     * Thanos' {@code rewrites}: the earlier ones, then {sources, deletions_applied: [{matchers: [{Type, Name, Value}],
     * intervals: [{Mint, Maxt}]}], relabels_applied: [relabel configs as Prometheus' JSON]}.
     */
    private static JsonNode rewrites(JsonNode earlier, List<Ulid> sources, List<DeletionRequest> deletions, List<RelabelConfig> relabels) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode all = earlier != null && earlier.isArray() ? ((ArrayNode) earlier).deepCopy() : json.arrayNode();
        ObjectNode rewrite = all.addObject();
        ArrayNode sourceList = rewrite.putArray("sources");
        sources.forEach(ulid -> sourceList.add(ulid.toString()));
        if (!deletions.isEmpty()) {
            ArrayNode applied = rewrite.putArray("deletions_applied");
            for (DeletionRequest deletion : deletions) {
                ObjectNode request = applied.addObject();
                ArrayNode matchers = request.putArray("matchers");
                for (LabelMatcher matcher : deletion.matchers()) {
                    // Go's labels.Matcher has no JSON tags: its exported fields, MatchType as its number
                    matchers.addObject().put("Type", matcher.type().ordinal()).put("Name", matcher.name()).put("Value", matcher.value());
                }
                if (!deletion.intervals().isEmpty()) {
                    ArrayNode intervals = request.putArray("intervals"); // tombstones.Interval has no JSON tags either
                    deletion.intervals().forEach(i -> intervals.addObject().put("Mint", i.minTime()).put("Maxt", i.maxTime()));
                }
            }
        }
        if (!relabels.isEmpty()) {
            ArrayNode applied = rewrite.putArray("relabels_applied");
            for (RelabelConfig relabel : relabels) {
                ObjectNode config = applied.addObject();
                if (!relabel.sourceLabels().isEmpty()) {
                    ArrayNode names = config.putArray("source_labels");
                    relabel.sourceLabels().forEach(names::add);
                }
                config.put("separator", relabel.separator());
                String anchored = relabel.regex().pattern();
                config.put("regex", anchored.substring("^(?:".length(), anchored.length() - ")$".length()));
                if (relabel.modulus() != 0) {
                    config.put("modulus", relabel.modulus());
                }
                if (!relabel.targetLabel().isEmpty()) {
                    config.put("target_label", relabel.targetLabel());
                }
                config.put("replacement", relabel.replacement());
                config.put("action", relabel.action());
            }
        }
        return all;
    }

    /** Go's {@code %v} of {@code tombstones.Intervals}: {@code [{0 999} {2000 2999}]}. */
    static String describe(List<Interval> intervals) {
        return intervals.stream().map(Interval::toString).collect(Collectors.joining(" ", "[", "]"));
    }
}
