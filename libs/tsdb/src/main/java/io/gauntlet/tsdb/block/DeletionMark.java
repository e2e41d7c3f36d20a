package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code <ULID>/deletion-mark.json}: the block is to be deleted once {@code deletionTime} (unix seconds) is
 * older than the delete delay. JSON as Thanos writes it: compact, {@code details} omitted when empty.
 */
public record DeletionMark(Ulid id, String details, long deletionTime, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "deletion-mark.json";
    private static final Set<String> KNOWN = Set.of("id", "version", "details", "deletion_time");

    public DeletionMark {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(details, "details");
        unknownFields = GoJson.copyOf(unknownFields);
    }

    public static DeletionMark of(Ulid id, String details, long deletionTimeSeconds) {
        return new DeletionMark(id, details, deletionTimeSeconds, Map.of());
    }

    /** @throws UnsupportedMetaVersionException unless {@code version} is 1 */
    public static DeletionMark parse(byte[] json, String block) throws CorruptedDataException, UnsupportedMetaVersionException {
        JsonFields fields = new JsonFields(block, FILE);
        ObjectNode root = GoJson.parseObject(json, block, FILE);
        long version = fields.optionalLong(root, "version");
        if (version != 1) {
            throw new UnsupportedMetaVersionException(block, FILE, version);
        }
        return new DeletionMark(fields.requiredUlid(root, "id"), fields.optionalString(root, "details"),
                fields.requiredLong(root, "deletion_time"), GoJson.unknownFields(root, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode root = GoJson.NODES.objectNode();
        root.put("id", id.toString());
        root.put("version", 1);
        if (!details.isEmpty()) {
            root.put("details", details);
        }
        root.put("deletion_time", deletionTime);
        unknownFields.forEach(root::set);
        return GoJson.compact(root);
    }
}
