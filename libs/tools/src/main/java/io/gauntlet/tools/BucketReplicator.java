package io.gauntlet.tools;

import io.gauntlet.compact.BucketScan;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code replicate}: copies blocks from one bucket to another, byte for byte, as Thanos' replicator: every file of a
 * block first, {@code meta.json} last, so a copy cut short (even by SIGKILL) is a partial upload that readers ignore
 * and the next run completes. A block whose meta.json is already in the target is done and skipped; blocks marked
 * for deletion in the source are not copied.
 */
public final class BucketReplicator {
    /** Which source blocks to copy: external labels (all pairs must match), resolutions and compaction levels (empty: any). */
    public record Filter(Map<String, String> selector, Set<Long> resolutions, Set<Integer> levels) {
        public static final Filter ALL = new Filter(Map.of(), Set.of(), Set.of());

        public Filter {
            selector = Map.copyOf(selector);
            resolutions = Set.copyOf(resolutions);
            levels = Set.copyOf(levels);
        }

        boolean accepts(BlockEntry block) {
            return block.matches(selector) && (resolutions.isEmpty() || resolutions.contains(block.resolution()))
                    && (levels.isEmpty() || levels.contains(block.meta().compaction().level()));
        }
    }

    /** What a run did: blocks copied now and blocks the target had already. */
    public record Replicated(List<Ulid> copied, List<Ulid> present) {
    }

    private final Bucket source;
    private final Bucket target;
    private final ToolEvents events;

    public BucketReplicator(Bucket source, Bucket target, ToolEvents events) {
        this.source = source;
        this.target = target;
        this.events = events;
    }

    public Replicated replicate(Filter filter) {
        BucketInventory inventory = BucketInventory.scan(source, Map.of());
        List<Ulid> copied = new ArrayList<>();
        List<Ulid> present = new ArrayList<>();
        for (BlockEntry block : inventory.blocks()) {
            if (block.deletionMark() != null || !filter.accepts(block)) {
                continue;
            }
            Ulid ulid = block.meta().ulid();
            String meta = ulid + Bucket.DELIMITER + BlockMeta.FILE;
            if (target.exists(meta)) {
                present.add(ulid);
                continue;
            }
            copyBlock(ulid);
            copied.add(ulid);
            events.publish(BlockEventType.UPLOADED, block.meta());
        }
        return new Replicated(copied, present);
    }

    /** Copies every object of one block byte for byte, meta.json last (only then is the block visible in the target). */
    public void copyBlock(Ulid ulid) {
        String meta = ulid + Bucket.DELIMITER + BlockMeta.FILE;
        for (String object : source.list(ulid + Bucket.DELIMITER, true)) {
            if (!object.equals(meta)) {
                copy(object);
            }
        }
        copy(meta);
    }

    private void copy(String object) {
        long size = source.attributes(object).size();
        try (InputStream in = source.get(object)) {
            if (size <= 8 << 20) {
                byte[] bytes = in.readAllBytes();
                target.upload(object, new ByteArrayInputStream(bytes), bytes.length);
            } else {
                target.upload(object, in, size);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + object + " from " + source.name() + " to " + target.name() + ": " + e.getMessage(), e);
        }
    }
}
