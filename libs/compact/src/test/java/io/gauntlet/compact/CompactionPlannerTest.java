package io.gauntlet.compact;

import static io.gauntlet.compact.TestMetas.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.block.BlockMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactionPlannerTest {
    private final CompactionPlanner planner = CompactionPlanner.defaults();

    @Test
    void fourTwoHourBlocksOfAnEightHourRangeAreCompactedOnceTheNextBlockArrived() {
        BlockMeta a = block(0, 2);
        BlockMeta b = block(2, 4);
        BlockMeta c = block(4, 6);
        BlockMeta d = block(6, 8);
        // the newest block is left alone; the 8h range [0,8) is then not yet complete and not before the newest block
        assertThat(planner.plan(List.of(a, b, c, d), Set.of())).isEmpty();
        BlockMeta e = block(8, 10);
        assertThat(planner.plan(List.of(e, c, a, d, b), Set.of())).containsExactly(a, b, c, d);
    }

    @Test
    void aPartialRangeBeforeTheNewestBlockIsCompacted() {
        BlockMeta a = block(0, 2);
        BlockMeta b = block(2, 4);
        BlockMeta later = block(10, 12);
        // like Prometheus: the newest block is ignored, so [0,8) is not yet known to be over
        assertThat(planner.plan(List.of(a, b, later), Set.of())).isEmpty();
        assertThat(planner.plan(List.of(a, b, later, block(12, 14)), Set.of())).containsExactly(a, b);
        // a single block in its range is never "compacted" alone
        assertThat(planner.plan(List.of(a, later), Set.of())).isEmpty();
    }

    @Test
    void eightHourBlocksGrowIntoTwoDayBlocks() {
        List<BlockMeta> blocks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            blocks.add(TestMetas.compacted(8 * i, 8 * i + 8, block(8 * i, 8 * i + 8)));
        }
        BlockMeta newest = block(48, 50);
        blocks.add(newest);
        assertThat(planner.plan(blocks, Set.of())).containsExactlyElementsOf(blocks.subList(0, 6));
    }

    @Test
    void misalignedBlocksThatCrossARangeAreSkipped() {
        BlockMeta crossing = block(6, 10); // crosses the 8h boundary
        BlockMeta b = block(10, 12);
        BlockMeta c = block(12, 14);
        BlockMeta newest = block(20, 22);
        assertThat(planner.plan(List.of(crossing, b, c, newest, block(22, 24)), Set.of())).containsExactly(b, c);
    }

    @Test
    void overlappingBlocksComeFirst() {
        BlockMeta a = block(0, 2);
        BlockMeta replica = block(0, 2);
        BlockMeta c = block(2, 4);
        BlockMeta overlapsC = block(3, 5);
        List<BlockMeta> plan = planner.plan(List.of(a, replica, c, overlapsC), Set.of());
        assertThat(plan).hasSize(2).containsExactlyInAnyOrder(a, replica);
        assertThat(CompactionPlanner.overlapping(List.of(a, c, overlapsC))).containsExactly(c, overlapsC);
    }

    @Test
    void noCompactMarkedBlocksSplitTheRangeWithoutShiftingIt() {
        BlockMeta a = block(0, 2);
        BlockMeta b = block(2, 4);
        BlockMeta marked = block(4, 6);
        BlockMeta d = block(6, 8);
        BlockMeta newest = block(8, 10);
        assertThat(planner.plan(List.of(a, b, marked, d, newest), Set.of(marked.ulid()))).containsExactly(a, b);
        assertThat(planner.plan(List.of(a, marked, d, newest), Set.of(marked.ulid()))).isEmpty();
        // a marked block never takes part in vertical compaction either
        BlockMeta overlapping = block(4, 6);
        assertThat(planner.plan(List.of(a, marked, overlapping, newest), Set.of(marked.ulid()))).isEmpty();
    }

    @Test
    void failedCompactionsAreNotRetriedInTheSameRange() {
        BlockMeta a = block(0, 2);
        BlockMeta failed = new BlockMeta(block(2, 4).ulid(), 2 * TestMetas.HOUR, 4 * TestMetas.HOUR, a.stats(),
                new BlockMeta.Compaction(1, List.of(), false, List.of(), true, List.of(), java.util.Map.of()), 1, a.thanos(), java.util.Map.of());
        assertThat(planner.plan(List.of(a, failed, block(10, 12)), Set.of())).isEmpty();
    }

    @Test
    void negativeTimesAlignLikeGo() {
        BlockMeta a = block(-8, -6);
        BlockMeta b = block(-6, -4);
        assertThat(CompactionPlanner.splitByRange(List.of(a, b), 8 * TestMetas.HOUR)).containsExactly(List.of(a, b));
        assertThat(planner.plan(List.of(a, b, block(0, 2), block(2, 4)), Set.of())).containsExactly(a, b);
    }

    @Test
    void rangesMustIncrease() {
        assertThatThrownBy(() -> new CompactionPlanner(List.of(2L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CompactionPlanner(List.of(8L, 2L))).hasMessageContaining("increasing");
    }
}
