package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code <ULID>/no-compact-mark.json}: the compactor leaves the block alone. {@code reason} is e.g.
 * {@code manual} or {@code index-size-exceeding}; {@code noCompactTime} is in unix seconds.
 */
public record NoCompactMark(Ulid id, String details, long noCompactTime, String reason, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "no-compact-mark.json";
    public static final String REASON_MANUAL = "manual";
    public static final String REASON_INDEX_SIZE_EXCEEDING = "index-size-exceeding";
    private static final Set<String> KNOWN = Set.of("id", "version", "details", "no_compact_time", "reason");

    public NoCompactMark {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(reason, "reason");
        unknownFields = GoJson.copyOf(unknownFields);
    }

    public static NoCompactMark of(Ulid id, String details, long noCompactTimeSeconds, String reason) {
        return new NoCompactMark(id, details, noCompactTimeSeconds, reason, Map.of());
    }

    /** @throws UnsupportedMetaVersionException unless {@code version} is 1 */
    public static NoCompactMark parse(byte[] json, String block) throws CorruptedDataException, UnsupportedMetaVersionException {
        JsonFields fields = new JsonFields(block, FILE);
        ObjectNode root = GoJson.parseObject(json, block, FILE);
        long version = fields.optionalLong(root, "version");
        if (version != 1) {
            throw new UnsupportedMetaVersionException(block, FILE, version);
        }
        return new NoCompactMark(fields.requiredUlid(root, "id"), fields.optionalString(root, "details"),
                fields.requiredLong(root, "no_compact_time"), fields.optionalString(root, "reason"), GoJson.unknownFields(root, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode root = GoJson.NODES.objectNode();
        root.put("id", id.toString());
        root.put("version", 1);
        if (!details.isEmpty()) {
            root.put("details", details);
        }
        root.put("no_compact_time", noCompactTime);
        root.put("reason", reason);
        unknownFields.forEach(root::set);
        return GoJson.compact(root);
    }
}
