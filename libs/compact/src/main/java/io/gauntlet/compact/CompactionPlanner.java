package io.gauntlet.compact;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Thanos' leveled planner ({@code tsdbBasedPlanner}) for one compaction group: overlapping blocks first (vertical
 * compaction), otherwise the first aligned range of 8h, 2d or 14d (by default) that is complete or lies entirely before
 * the newest block. The newest block is never planned, so a just-uploaded block has a full block duration to be
 * repaired by hand. Blocks with a no-compact mark are never planned; they split a range without shifting it.
 */
public final class CompactionPlanner {
    /** Thanos' default {@code compact.block-ranges}: 2h, 8h, 2d, 14d. */
    public static final List<Long> DEFAULT_RANGES = List.of(7_200_000L, 28_800_000L, 172_800_000L, 1_209_600_000L);

    private final List<Long> ranges;

    public CompactionPlanner(List<Long> ranges) {
        if (ranges.size() < 2) {
            throw new IllegalArgumentException("compaction needs at least two block ranges, got " + ranges);
        }
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i) <= 0 || (i > 0 && ranges.get(i) <= ranges.get(i - 1))) {
                throw new IllegalArgumentException("block ranges must be positive and increasing, got " + ranges);
            }
        }
        this.ranges = List.copyOf(ranges);
    }

    public static CompactionPlanner defaults() {
        return new CompactionPlanner(DEFAULT_RANGES);
    }

    public List<Long> ranges() {
        return ranges;
    }

    /**
     * The blocks to compact next (empty when nothing is due).
     *
     * @param blocks     the group's visible blocks, any order
     * @param noCompact  blocks marked with {@code no-compact-mark.json}
     */
    public List<BlockMeta> plan(List<BlockMeta> blocks, Set<Ulid> noCompact) {
        if (blocks.isEmpty()) {
            return List.of();
        }
        List<BlockMeta> byMinTime = new ArrayList<>(blocks);
        byMinTime.sort(BY_MIN_TIME);
        List<BlockMeta> compactable = new ArrayList<>(byMinTime.size());
        for (BlockMeta meta : byMinTime) {
            if (!noCompact.contains(meta.ulid())) {
                compactable.add(meta);
            }
        }
        List<BlockMeta> overlapping = overlapping(compactable);
        if (!overlapping.isEmpty()) {
            return overlapping;
        }
        // leave the newest block alone (it may still be repaired by hand)
        List<BlockMeta> candidates = byMinTime.subList(0, byMinTime.size() - 1);
        return selectRange(candidates, noCompact);
    }

    /** Ordering of the planner: by min time, then ULID so that plans are deterministic. */
    public static final Comparator<BlockMeta> BY_MIN_TIME = Comparator.comparingLong(BlockMeta::minTime)
            .thenComparing(BlockMeta::ulid);

    /** The first run of blocks (sorted by min time) that overlap each other, or empty (Prometheus' selectOverlappingDirs). */
    public static List<BlockMeta> overlapping(List<BlockMeta> byMinTime) {
        if (byMinTime.size() < 2) {
            return List.of();
        }
        List<BlockMeta> result = new ArrayList<>();
        long globalMaxTime = byMinTime.getFirst().maxTime();
        for (int i = 1; i < byMinTime.size(); i++) {
            BlockMeta block = byMinTime.get(i);
            if (block.minTime() < globalMaxTime) {
                if (result.isEmpty()) {
                    result.add(byMinTime.get(i - 1));
                }
                result.add(block);
            } else if (!result.isEmpty()) {
                break;
            }
            globalMaxTime = Math.max(globalMaxTime, block.maxTime());
        }
        return result;
    }

    private List<BlockMeta> selectRange(List<BlockMeta> byMinTime, Set<Ulid> noCompact) {
        if (byMinTime.isEmpty()) {
            return List.of();
        }
        long highTime = byMinTime.getLast().minTime();
        for (long range : ranges.subList(1, ranges.size())) {
            for (List<BlockMeta> part : splitByRange(byMinTime, range)) {
                if (part.size() < 2 || part.stream().anyMatch(meta -> meta.compaction().failed())) {
                    continue;
                }
                long minTime = part.getFirst().minTime();
                long maxTime = part.getLast().maxTime();
                // the range is full, or no block of the same size can still arrive in it
                if (maxTime - minTime != range && maxTime > highTime) {
                    continue;
                }
                // no-compact blocks split the part; the range stays where it was, so no gap appears
                int start = 0;
                for (int i = 0; i < part.size(); i++) {
                    if (!noCompact.contains(part.get(i).ulid())) {
                        continue;
                    }
                    if (i - start > 1) {
                        return List.copyOf(part.subList(start, i));
                    }
                    start = i + 1;
                }
                if (part.size() - start > 1) {
                    return List.copyOf(part.subList(start, part.size()));
                }
            }
        }
        return List.of();
    }

    /** Groups blocks into aligned ranges of {@code range}; a block that does not fit in one aligned range is skipped. */
    static List<List<BlockMeta>> splitByRange(List<BlockMeta> byMinTime, long range) {
        List<List<BlockMeta>> parts = new ArrayList<>();
        int i = 0;
        while (i < byMinTime.size()) {
            BlockMeta first = byMinTime.get(i);
            long start = Math.floorDiv(first.minTime(), range) * range;
            if (first.maxTime() > start + range) {
                i++;
                continue;
            }
            List<BlockMeta> part = new ArrayList<>();
            while (i < byMinTime.size() && byMinTime.get(i).maxTime() <= start + range) {
                part.add(byMinTime.get(i));
                i++;
            }
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }
}
