package io.gauntlet.events;

import io.gauntlet.tsdb.Labels;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A fact about a block in the bucket (uploaded, marked for deletion, deleted), published after the fact is
 * durable. {@code id} is the event's own id (unique per publication; a redelivery keeps it); consumers are
 * idempotent by {@code ulid}. {@code producer} names the publisher as a URI reference (for example
 * {@code gauntlet/shipper/prometheus-0}) and is the CloudEvents {@code source}.
 */
public record BlockEvent(
        BlockEventType type,
        String id,
        String ulid,
        long minTime,
        long maxTime,
        Labels externalLabels,
        long resolution,
        int compactionLevel,
        List<String> sources,
        BlockStats stats,
        String producer,
        Instant time) {

    private static final Pattern ULID = Pattern.compile("[0-7][0-9A-HJKMNP-TV-Z]{25}");

    public BlockEvent {
        Objects.requireNonNull(type, "type");
        requireText(id, "id");
        if (ulid == null || !ULID.matcher(ulid).matches()) {
            throw new IllegalArgumentException("block ULID must be 26 Crockford base32 characters, got '" + ulid + "'");
        }
        if (maxTime < minTime) {
            throw new IllegalArgumentException("block " + ulid + " has maxTime " + maxTime + " before minTime " + minTime);
        }
        Objects.requireNonNull(externalLabels, "externalLabels");
        if (resolution < 0) {
            throw new IllegalArgumentException("block " + ulid + " has a negative resolution " + resolution);
        }
        if (compactionLevel < 1) {
            throw new IllegalArgumentException("block " + ulid + " has compaction level " + compactionLevel + ", levels start at 1");
        }
        sources = List.copyOf(sources);
        Objects.requireNonNull(stats, "stats");
        requireText(producer, "producer");
        try {
            new URI(producer); // it is the CloudEvents source, a URI reference
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("block event producer must be a URI reference such as gauntlet/shipper/prometheus-0, got '" + producer + "'");
        }
        Objects.requireNonNull(time, "time");
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("block event " + what + " must not be empty");
        }
    }

    /** A new event (fresh id, time now) about block {@code ulid}. */
    public static BlockEvent of(BlockEventType type, String ulid, long minTime, long maxTime, Labels externalLabels,
                                long resolution, int compactionLevel, List<String> sources, BlockStats stats, String producer) {
        return new BlockEvent(type, UUID.randomUUID().toString(), ulid, minTime, maxTime, externalLabels, resolution,
                compactionLevel, sources, stats, producer, Instant.now());
    }

    /** The Kafka record key: every event of one compaction group lands in one partition. */
    public String groupKey() {
        return CompactionGroupKey.of(resolution, externalLabels);
    }
}
