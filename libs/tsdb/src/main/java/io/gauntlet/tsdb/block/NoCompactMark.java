package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code <ULID>/no-compact-mark.json}: the compactor leaves the block alone. {@code reason} is e.g.
 * {@code manual} or {@code index-size-exceeding}; {@code noCompactTime} is in unix seconds.
 */
public record NoCompactMark(Ulid id, String details, long noCompactTime, String reason, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "no-compact-mark.json";
    public static final String REASON_MANUAL = "manual";
    public static final String REASON_INDEX_SIZE_EXCEEDING = "index-size-exceeding";

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
        MarkerJson.Fields f = MarkerJson.parse(json, block, FILE, "no_compact_time", true);
        return new NoCompactMark(f.id(), f.details(), f.time(), f.reason(), f.unknownFields());
    }

    public byte[] toJson() {
        return MarkerJson.write(id, details, "no_compact_time", noCompactTime, reason, unknownFields);
    }
}
