package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code <ULID>/deletion-mark.json}: the block is to be deleted once {@code deletionTime} (unix seconds) is
 * older than the delete delay. JSON as Thanos writes it: compact, {@code details} omitted when empty.
 */
public record DeletionMark(Ulid id, String details, long deletionTime, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "deletion-mark.json";

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
        MarkerJson.Fields f = MarkerJson.parse(json, block, FILE, "deletion_time", false);
        return new DeletionMark(f.id(), f.details(), f.time(), f.unknownFields());
    }

    public byte[] toJson() {
        return MarkerJson.write(id, details, "deletion_time", deletionTime, null, unknownFields);
    }
}
