package io.gauntlet.compact;

import io.gauntlet.events.CompactionGroupKey;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Turns a bucket snapshot into compaction groups (Thanos' meta filters and {@code Grouper}): blocks marked for
 * deletion are gone already; blocks without an announcing event wait out the consistency delay (their upload may
 * still be running); replica labels are dropped so that HA replicas fall into one group; duplicates — blocks whose
 * sources are covered by another block of the group — are set apart for garbage collection.
 */
public final class BlockGrouping {
    /** Sources whose blocks are complete when visible: the compactor writes meta.json last and only after verifying. */
    private static final Set<String> TRUSTED_SOURCES = Set.of("compactor", "compactor.repair", "bucket.repair");

    private final List<String> replicaLabels;
    private final Duration consistencyDelay;

    public BlockGrouping(List<String> replicaLabels, Duration consistencyDelay) {
        this.replicaLabels = List.copyOf(replicaLabels);
        this.consistencyDelay = consistencyDelay;
    }

    public List<String> replicaLabels() {
        return replicaLabels;
    }

    /** The group key of a block after dropping the replica labels. */
    public String groupKey(BlockMeta meta) {
        return CompactionGroupKey.of(resolution(meta), groupLabels(meta));
    }

    public Map<String, String> groupLabels(BlockMeta meta) {
        Map<String, String> labels = new TreeMap<>(meta.thanos() == null ? Map.of() : meta.thanos().labels());
        replicaLabels.forEach(labels::remove);
        return labels;
    }

    static long resolution(BlockMeta meta) {
        return meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
    }

    /**
     * Whether a block may be used now: announced by an event, written by a compactor, or older than the consistency
     * delay, judged by the later of the ULID's time and {@code thanos.upload_time} as Thanos' fetcher does (a block
     * uploaded long after it was cut, such as a backfill, waits from its upload).
     */
    public boolean consistent(BlockMeta meta, Predicate<Ulid> announced, Instant now) {
        if (announced.test(meta.ulid())) {
            return true;
        }
        if (meta.thanos() != null && TRUSTED_SOURCES.contains(meta.thanos().source())) {
            return true;
        }
        return freshSince(meta) + consistencyDelay.toMillis() <= now.toEpochMilli();
    }

    /** Unix ms from which a block counts as present: the later of its ULID's time and its upload time. */
    static long freshSince(BlockMeta meta) {
        long created = meta.ulid().timestamp();
        if (meta.thanos() == null) {
            return created;
        }
        return meta.thanos().uploadInstant().map(uploaded -> Math.max(created, uploaded.toEpochMilli())).orElse(created);
    }

    /** The result of grouping: the groups and the duplicates to garbage-collect. */
    public record Grouped(Map<String, CompactionGroup> groups, List<BlockMeta> duplicates) {
    }

    /**
     * Groups the usable blocks of a snapshot: not marked for deletion, consistent, with a Thanos section; duplicates
     * are left out of the groups and returned apart.
     */
    public Grouped group(BucketScan.Snapshot snapshot, Predicate<Ulid> announced, Instant now) {
        Map<String, List<BlockMeta>> byKey = new TreeMap<>();
        for (BlockMeta meta : snapshot.metas().values()) {
            // a block without a Thanos section (uploaded by hand from Prometheus or promtool) is raw with no external labels
            if (snapshot.deletionMarks().containsKey(meta.ulid()) || !consistent(meta, announced, now)) {
                continue;
            }
            byKey.computeIfAbsent(groupKey(meta), key -> new ArrayList<>()).add(meta);
        }
        Map<String, CompactionGroup> groups = new TreeMap<>();
        List<BlockMeta> duplicates = new ArrayList<>();
        byKey.forEach((key, metas) -> {
            List<BlockMeta> kept = new ArrayList<>();
            for (BlockMeta meta : metas) {
                if (coveredByAnother(meta, metas)) {
                    duplicates.add(meta);
                } else {
                    kept.add(meta);
                }
            }
            kept.sort(CompactionPlanner.BY_MIN_TIME);
            groups.put(key, new CompactionGroup(key, resolution(metas.getFirst()), groupLabels(metas.getFirst()), kept));
        });
        return new Grouped(groups, duplicates);
    }

    /**
     * A block is a duplicate when another block's sources include all of its own: a strict superset, or the same
     * sources in a block with a lower ULID (so exactly one of identical blocks survives).
     */
    static boolean coveredByAnother(BlockMeta meta, List<BlockMeta> group) {
        Set<Ulid> sources = sourcesOf(meta);
        for (BlockMeta other : group) {
            if (other == meta || other.ulid().equals(meta.ulid())) {
                continue;
            }
            Set<Ulid> otherSources = sourcesOf(other);
            if (!otherSources.containsAll(sources)) {
                continue;
            }
            if (otherSources.size() > sources.size() || other.ulid().compareTo(meta.ulid()) < 0) {
                return true;
            }
        }
        return false;
    }

    static Set<Ulid> sourcesOf(BlockMeta meta) {
        List<Ulid> sources = meta.compaction().sources();
        return sources.isEmpty() ? Set.of(meta.ulid()) : new HashSet<>(sources);
    }
}
