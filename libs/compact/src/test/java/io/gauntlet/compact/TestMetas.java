package io.gauntlet.compact;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Synthetic metas for planner and grouping tests. */
final class TestMetas {
    static final long HOUR = 3_600_000L;
    private static final Random ENTROPY = new Random(42);
    private static long clock = 1_700_000_000_000L;

    private TestMetas() {
    }

    static Ulid ulid() {
        return Ulid.of(clock++, ENTROPY);
    }

    static BlockMeta block(long minHour, long maxHour) {
        return block(minHour * HOUR, maxHour * HOUR, Map.of("cluster", "a"));
    }

    static BlockMeta block(long minTime, long maxTime, Map<String, String> labels) {
        Ulid ulid = ulid();
        return BlockMeta.of(ulid, minTime, maxTime, BlockMeta.Stats.of(100, 1, 1), BlockMeta.Compaction.of(1, List.of(ulid), List.of()))
                .withThanos(BlockMeta.Thanos.of(labels, 0, "sidecar"));
    }

    static BlockMeta compacted(long minHour, long maxHour, BlockMeta... sources) {
        Ulid ulid = ulid();
        List<Ulid> all = java.util.Arrays.stream(sources).flatMap(s -> s.compaction().sources().stream()).sorted().toList();
        return BlockMeta.of(ulid, minHour * HOUR, maxHour * HOUR, BlockMeta.Stats.of(100, 1, 1), BlockMeta.Compaction.of(2, all, List.of()))
                .withThanos(BlockMeta.Thanos.of(Map.of("cluster", "a"), 0, "compactor"));
    }
}
