package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code <ULID>/no-downsample-mark.json}: the compactor never downsamples the block. JSON as Thanos writes it: compact,
 * {@code details} omitted when empty, {@code no_downsample_time} in unix seconds.
 */
public record NoDownsampleMark(Ulid id, String details, long noDownsampleTime, String reason, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "no-downsample-mark.json";
    public static final String REASON_MANUAL = "manual";
    private static final Set<String> KNOWN = Set.of("id", "version", "details", "no_downsample_time", "reason");

    public NoDownsampleMark {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(reason, "reason");
        unknownFields = GoJson.copyOf(unknownFields);
    }

    public static NoDownsampleMark of(Ulid id, String details, long noDownsampleTimeSeconds, String reason) {
        return new NoDownsampleMark(id, details, noDownsampleTimeSeconds, reason, Map.of());
    }

    /** @throws UnsupportedMetaVersionException unless {@code version} is 1 */
    public static NoDownsampleMark parse(byte[] json, String block) throws CorruptedDataException, UnsupportedMetaVersionException {
        JsonFields fields = new JsonFields(block, FILE);
        ObjectNode root = GoJson.parseObject(json, block, FILE);
        long version = fields.optionalLong(root, "version");
        if (version != 1) {
            throw new UnsupportedMetaVersionException(block, FILE, version);
        }
        return new NoDownsampleMark(fields.requiredUlid(root, "id"), fields.optionalString(root, "details"),
                fields.requiredLong(root, "no_downsample_time"), fields.optionalString(root, "reason"), GoJson.unknownFields(root, KNOWN));
    }

    public byte[] toJson() {
        ObjectNode root = GoJson.NODES.objectNode();
        root.put("id", id.toString());
        root.put("version", 1);
        if (!details.isEmpty()) {
            root.put("details", details);
        }
        root.put("no_downsample_time", noDownsampleTime);
        root.put("reason", reason);
        unknownFields.forEach(root::set);
        return GoJson.compact(root);
    }
}
