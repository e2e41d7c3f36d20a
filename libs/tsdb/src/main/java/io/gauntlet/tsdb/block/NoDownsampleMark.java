package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code <ULID>/no-downsample-mark.json}: the compactor never downsamples the block. JSON as Thanos writes it: compact,
 * {@code details} omitted when empty, {@code no_downsample_time} in unix seconds.
 */
public record NoDownsampleMark(Ulid id, String details, long noDownsampleTime, String reason, Map<String, JsonNode> unknownFields) {
    public static final String FILE = "no-downsample-mark.json";
    public static final String REASON_MANUAL = "manual";

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
        MarkerJson.Fields f = MarkerJson.parse(json, block, FILE, "no_downsample_time", true);
        return new NoDownsampleMark(f.id(), f.details(), f.time(), f.reason(), f.unknownFields());
    }

    public byte[] toJson() {
        return MarkerJson.write(id, details, "no_downsample_time", noDownsampleTime, reason, unknownFields);
    }
}
