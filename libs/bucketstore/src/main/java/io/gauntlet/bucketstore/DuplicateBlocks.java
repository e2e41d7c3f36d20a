package io.gauntlet.bucketstore;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Blocks whose data another block already holds, as Thanos' store gateway leaves them out (its deduplicate filter):
 * per resolution, a block whose compaction sources are all among another block's sources is a duplicate, e.g. the
 * sources of a compaction that are not deleted yet. Of blocks with the same sources the one with the lowest ULID stays.
 */
final class DuplicateBlocks {
    private DuplicateBlocks() {
    }

    /** The ids of the given blocks that another of them covers. */
    static Set<String> covered(Collection<BlockMeta> metas) {
        Map<Long, List<BlockMeta>> byResolution = new HashMap<>();
        for (BlockMeta meta : metas) {
            byResolution.computeIfAbsent(resolution(meta), r -> new ArrayList<>()).add(meta);
        }
        Set<String> out = new HashSet<>();
        for (List<BlockMeta> group : byResolution.values()) {
            // most sources first, so a compacted block is placed before what it was made of; ties by ULID
            group.sort(Comparator.<BlockMeta>comparingInt(meta -> sources(meta).size()).reversed()
                    .thenComparing(meta -> meta.ulid().toString()));
            // a block that covers this one holds each of its sources, so only the kept blocks holding its first source are
            // candidates: a sync of a large bucket compares each block with a few, not with every kept block
            Map<Ulid, List<Set<Ulid>>> keptBySource = new HashMap<>();
            for (BlockMeta meta : group) {
                Set<Ulid> sources = sources(meta);
                List<Set<Ulid>> candidates = keptBySource.getOrDefault(sources.iterator().next(), List.of());
                if (candidates.stream().anyMatch(parent -> parent.containsAll(sources))) {
                    out.add(meta.ulid().toString());
                } else {
                    for (Ulid source : sources) {
                        keptBySource.computeIfAbsent(source, s -> new ArrayList<>()).add(sources);
                    }
                }
            }
        }
        return out;
    }

    private static long resolution(BlockMeta meta) {
        return meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
    }

    /** A block without recorded sources is its own only source. */
    private static Set<Ulid> sources(BlockMeta meta) {
        List<Ulid> sources = meta.compaction() == null ? List.of() : meta.compaction().sources();
        return sources.isEmpty() ? Set.of(meta.ulid()) : new HashSet<>(sources);
    }
}
