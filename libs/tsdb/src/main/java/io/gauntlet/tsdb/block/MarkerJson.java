package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The JSON every block marker shares, as Thanos writes it: compact, {@code id}, {@code version} 1, {@code details}
 * omitted when empty, the marker's unix-seconds time field, then {@code reason} for markers that have one.
 */
final class MarkerJson {
    private MarkerJson() {
    }

    /** A marker's fields; {@code reason} is empty for a marker without one. */
    record Fields(Ulid id, String details, long time, String reason, Map<String, JsonNode> unknownFields) {
    }

    /** @throws UnsupportedMetaVersionException unless {@code version} is 1 */
    static Fields parse(byte[] json, String block, String file, String timeField, boolean hasReason)
            throws CorruptedDataException, UnsupportedMetaVersionException {
        JsonFields fields = new JsonFields(block, file);
        ObjectNode root = GoJson.parseObject(json, block, file);
        long version = fields.optionalLong(root, "version");
        if (version != 1) {
            throw new UnsupportedMetaVersionException(block, file, version);
        }
        Set<String> known = new HashSet<>(Set.of("id", "version", "details", timeField));
        if (hasReason) {
            known.add("reason");
        }
        return new Fields(fields.requiredUlid(root, "id"), fields.optionalString(root, "details"), fields.requiredLong(root, timeField),
                hasReason ? fields.optionalString(root, "reason") : "", GoJson.unknownFields(root, known));
    }

    /** @param reason the reason, or null for a marker without one */
    static byte[] write(Ulid id, String details, String timeField, long time, String reason, Map<String, JsonNode> unknownFields) {
        ObjectNode root = GoJson.NODES.objectNode();
        root.put("id", id.toString());
        root.put("version", 1);
        if (!details.isEmpty()) {
            root.put("details", details);
        }
        root.put(timeField, time);
        if (reason != null) {
            root.put("reason", reason);
        }
        unknownFields.forEach(root::set);
        return GoJson.compact(root);
    }
}
