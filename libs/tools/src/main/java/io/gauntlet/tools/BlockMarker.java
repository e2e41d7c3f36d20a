package io.gauntlet.tools;

import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.block.UnsupportedMetaVersionException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * {@code mark}: writes or removes a block's marker file as Thanos does, then publishes the block's event (a deletion
 * mark: block.marked-for-deletion; its removal: block.uploaded, so gateways that dropped the block load it again; a
 * no-compact mark: block.marked-no-compact; a no-downsample mark: block.marked-no-downsample; other removals have no
 * event kind).
 */
public final class BlockMarker {
    /** The marker files {@code --marker} accepts. */
    public static final List<String> MARKERS = List.of(DeletionMark.FILE, NoCompactMark.FILE, NoDownsampleMark.FILE);

    /** What a mark or removal did to one block. */
    public enum Outcome { MARKED, ALREADY_MARKED, REMOVED, NOT_MARKED }

    private final Bucket bucket;
    private final ToolEvents events;
    private final Clock clock;

    public BlockMarker(Bucket bucket, ToolEvents events, Clock clock) {
        this.bucket = bucket;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Marks block {@code id} with {@code marker}; an existing marker is left as it is.
     *
     * @throws ToolException when the block has no readable meta.json or the marker is unknown
     */
    public Outcome mark(Ulid id, String marker, String details) {
        BlockMeta meta = readMeta(id);
        String object = id + Bucket.DELIMITER + marker;
        if (bucket.exists(object)) {
            return Outcome.ALREADY_MARKED;
        }
        long now = clock.instant().getEpochSecond();
        byte[] json = switch (marker) {
            case DeletionMark.FILE -> DeletionMark.of(id, details, now).toJson();
            case NoCompactMark.FILE -> NoCompactMark.of(id, details, now, NoCompactMark.REASON_MANUAL).toJson();
            case NoDownsampleMark.FILE -> NoDownsampleMark.of(id, details, now, NoDownsampleMark.REASON_MANUAL).toJson();
            default -> throw unknownMarker(marker);
        };
        bucket.upload(object, new ByteArrayInputStream(json), json.length);
        if (marker.equals(DeletionMark.FILE)) {
            events.publish(BlockEventType.MARKED_FOR_DELETION, meta);
        } else if (marker.equals(NoCompactMark.FILE)) {
            events.publish(BlockEventType.MARKED_NO_COMPACT, meta); // as the compactor announces its own no-compact marks
        } else if (marker.equals(NoDownsampleMark.FILE)) {
            events.publish(BlockEventType.MARKED_NO_DOWNSAMPLE, meta);
        }
        return Outcome.MARKED;
    }

    /** Removes {@code marker} from block {@code id}. */
    public Outcome remove(Ulid id, String marker) {
        if (!MARKERS.contains(marker)) {
            throw unknownMarker(marker);
        }
        BlockMeta meta = readMeta(id);
        String object = id + Bucket.DELIMITER + marker;
        if (!bucket.exists(object)) {
            return Outcome.NOT_MARKED;
        }
        bucket.delete(object);
        if (marker.equals(DeletionMark.FILE)) {
            events.publish(BlockEventType.UPLOADED, meta);
        }
        return Outcome.REMOVED;
    }

    private static ToolException unknownMarker(String marker) {
        return new ToolException("unknown marker " + marker + "; one of " + String.join(", ", MARKERS));
    }

    private BlockMeta readMeta(Ulid id) {
        String object = id + Bucket.DELIMITER + BlockMeta.FILE;
        if (!bucket.exists(object)) {
            throw new ToolException("block " + id + " not found in bucket " + bucket.name() + " (no " + object + ")");
        }
        try (InputStream in = bucket.get(object)) {
            return BlockMeta.parse(in.readAllBytes(), id.toString());
        } catch (IOException | CorruptedDataException | UnsupportedMetaVersionException e) {
            throw new ToolException("cannot read " + object + ": " + e.getMessage());
        }
    }
}
