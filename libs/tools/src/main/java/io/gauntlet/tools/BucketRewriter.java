package io.gauntlet.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code rewrite}, as Thanos' {@code tools bucket rewrite}: a block without the series that a deletion request's
 * matchers select. The new block keeps the source's time range, compaction level, external labels and resolution; its
 * {@code meta.json} has {@code thanos.source: bucket.rewrite}, {@code compaction.sources} [its own ULID] and a
 * {@code thanos.rewrites} entry with the source's sources and the deletions applied (Thanos' JSON). Uploaded
 * meta.json last and announced with {@code block.uploaded}; the source is marked for deletion only when asked (as
 * Thanos' {@code --delete-blocks}). A dry run only reports what would go.
 */
public final class BucketRewriter {
    /** One Thanos {@code DeletionRequest}: series matching all matchers are deleted (whole; time intervals are not implemented). */
    public record DeletionRequest(List<LabelMatcher> matchers) {
        public DeletionRequest {
            matchers = List.copyOf(matchers);
            if (matchers.isEmpty()) {
                throw new IllegalArgumentException("a deletion request needs at least one matcher");
            }
        }

        /**
         * Thanos' {@code --rewrite.to-delete-config}: a YAML list of {@code {matchers: '<series selector>'}}.
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
            List<DeletionRequest> requests = new java.util.ArrayList<>();
            for (JsonNode entry : root) {
                int index = requests.size();
                if (!entry.isObject() || !entry.path("matchers").isTextual()) {
                    throw new IllegalArgumentException("deletion request " + index + " has no 'matchers' selector");
                }
                for (var field : entry.properties()) {
                    if (field.getKey().equals("intervals") && !(field.getValue().isArray() && field.getValue().isEmpty())) {
                        throw new IllegalArgumentException("deletion request " + index + ": 'intervals' (deleting part of a series' time) is not"
                                + " implemented; only whole series are deleted");
                    } else if (!field.getKey().equals("matchers") && !field.getKey().equals("intervals")) {
                        throw new IllegalArgumentException("deletion request " + index + " has an unknown key '" + field.getKey() + "'");
                    }
                }
                String selector = entry.path("matchers").textValue();
                try {
                    requests.add(new DeletionRequest(io.gauntlet.promql.parser.PromqlParser.parseMetricSelector(selector)));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("deletion request " + index + ": selector " + selector + " is not valid: " + e.getMessage());
                }
            }
            return List.copyOf(requests);
        }

        boolean selects(Labels labels) {
            for (LabelMatcher matcher : matchers) {
                if (!matcher.matches(labels)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What one block's rewrite did (or would do, in a dry run). */
    public record Rewritten(Ulid source, Ulid target, long seriesKept, long seriesDeleted, boolean sourceMarked) {
    }

    private final Bucket bucket;
    private final ToolEvents events;
    private final Clock clock;

    public BucketRewriter(Bucket bucket, ToolEvents events, Clock clock) {
        this.bucket = bucket;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Rewrites one block in {@code scratch}.
     *
     * @param changeLog gets a line per deleted series ({@code Deleted {labels} [{mint maxt}]}, as Thanos' change log)
     */
    public Rewritten rewrite(Ulid ulid, List<DeletionRequest> deletions, boolean dryRun, boolean markSource, Path scratch,
            Consumer<String> changeLog) throws IOException, StorageException {
        if (!bucket.exists(ulid + "/meta.json")) {
            throw new ToolException("block " + ulid + " not found in bucket " + bucket.name());
        }
        Path source = BlockTransfer.download(bucket, ulid, scratch.resolve("source"));
        Ulid target = Ulid.generate(clock.millis());
        long kept = 0;
        long deleted = 0;
        try (BlockReader reader = BlockReader.open(source)) {
            BlockMeta meta = reader.meta();
            BlockMeta.Compaction compaction = meta.compaction();
            BlockMeta.Thanos thanos = meta.thanos() == null ? BlockMeta.Thanos.of(java.util.Map.of(), 0, "bucket.rewrite") : meta.thanos();
            BlockWriter.Options options = BlockWriter.Options.defaults().withUlid(target)
                    .withCompaction(new BlockMeta.Compaction(compaction.level(), List.of(target), compaction.deletable(), compaction.parents(),
                            compaction.failed(), compaction.hints(), compaction.unknownFields()))
                    .withThanos(thanos.withSource("bucket.rewrite").withRewrites(rewrites(thanos.rewrites(), compaction.sources(), deletions)));
            Path output = scratch.resolve("output");
            try (BlockWriter writer = dryRun ? null : BlockWriter.create(output, meta.minTime(), meta.maxTime(), options)) {
                ChunkSeriesSet series = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.regex("__name__", ".*")));
                while (series.next()) {
                    Labels labels = series.labels();
                    List<ChunkSeriesSet.EncodedChunk> chunks = series.chunks();
                    if (deletions.stream().anyMatch(deletion -> deletion.selects(labels))) {
                        changeLog.accept("Deleted " + GoFormat.labels(labels.toMap()) + " [{" + chunks.getFirst().minTime() + " " + chunks.getLast().maxTime() + "}]");
                        deleted++;
                    } else {
                        kept++;
                        if (writer != null) {
                            writer.addSeries(labels, chunks);
                        }
                    }
                }
                if (writer == null) {
                    return new Rewritten(ulid, target, kept, deleted, false);
                }
                BlockMeta written = writer.commit();
                BlockTransfer.upload(bucket, output.resolve(target.toString()), target);
                events.publish(BlockEventType.UPLOADED, written);
            }
        }
        boolean marked = markSource && new BlockMarker(bucket, events, clock).mark(ulid, DeletionMark.FILE, "block rewritten into " + target)
                == BlockMarker.Outcome.MARKED;
        return new Rewritten(ulid, target, kept, deleted, marked);
    }

    /** Thanos' {@code rewrites}: the earlier ones, then {sources, deletions_applied: [{matchers: [{Type, Name, Value}]}]}. */
    private static JsonNode rewrites(JsonNode earlier, List<Ulid> sources, List<DeletionRequest> deletions) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode all = earlier != null && earlier.isArray() ? ((ArrayNode) earlier).deepCopy() : json.arrayNode();
        ObjectNode rewrite = all.addObject();
        ArrayNode sourceList = rewrite.putArray("sources");
        sources.forEach(ulid -> sourceList.add(ulid.toString()));
        ArrayNode applied = rewrite.putArray("deletions_applied");
        for (DeletionRequest deletion : deletions) {
            ArrayNode matchers = applied.addObject().putArray("matchers");
            for (LabelMatcher matcher : deletion.matchers()) {
                // Go's labels.Matcher has no JSON tags: its exported fields, MatchType as its number
                matchers.addObject().put("Type", matcher.type().ordinal()).put("Name", matcher.name()).put("Value", matcher.value());
            }
        }
        return all;
    }
}
