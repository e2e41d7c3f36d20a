package io.gauntlet.compact;

import static io.gauntlet.compact.TestMetas.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BlockGroupingTest {
    private static final Instant LATER = Instant.ofEpochMilli(1_800_000_000_000L);

    private static BucketScan.Snapshot snapshot(List<BlockMeta> metas, Map<Ulid, DeletionMark> marks) {
        return new BucketScan.Snapshot(metas.stream().collect(Collectors.toMap(BlockMeta::ulid, Function.identity())), marks, Map.of(), Map.of(),
                Set.of(), Map.of());
    }

    @Test
    void replicasFallIntoOneGroupOnlyWhenTheirReplicaLabelIsDropped() {
        BlockMeta r0 = TestMetas.block(0, 2 * HOUR, Map.of("cluster", "a", "replica", "0"));
        BlockMeta r1 = TestMetas.block(0, 2 * HOUR, Map.of("cluster", "a", "replica", "1"));
        var plain = new BlockGrouping(List.of(), Duration.ofMinutes(30)).group(snapshot(List.of(r0, r1), Map.of()), u -> false, LATER);
        assertThat(plain.groups()).hasSize(2);
        var deduplicated = new BlockGrouping(List.of("replica"), Duration.ofMinutes(30)).group(snapshot(List.of(r0, r1), Map.of()), u -> false, LATER);
        assertThat(deduplicated.groups()).hasSize(1);
        CompactionGroup group = deduplicated.groups().values().iterator().next();
        assertThat(group.labels()).isEqualTo(Map.of("cluster", "a"));
        assertThat(group.blocks()).containsExactlyInAnyOrder(r0, r1);
        assertThat(group.key()).isEqualTo(io.gauntlet.events.CompactionGroupKey.of(0, Map.of("cluster", "a")));
    }

    @Test
    void blocksCoveredByACompactedBlockAreDuplicates() {
        BlockMeta a = TestMetas.block(0, 2);
        BlockMeta b = TestMetas.block(2, 4);
        BlockMeta c = TestMetas.compacted(0, 4, a, b);
        BlockMeta same = TestMetas.compacted(0, 4, a, b); // a second compaction of the same sources (crash before marking)
        var grouped = new BlockGrouping(List.of(), Duration.ZERO).group(snapshot(List.of(a, b, c, same), Map.of()), u -> false, LATER);
        assertThat(grouped.duplicates()).containsExactlyInAnyOrder(a, b, same);
        assertThat(grouped.groups().values().iterator().next().blocks()).containsExactly(c);
    }

    @Test
    void youngBlocksWithoutAnEventWaitForTheConsistencyDelay() {
        BlockMeta young = TestMetas.block(0, 2);
        Instant justAfter = Instant.ofEpochMilli(young.ulid().timestamp() + 60_000);
        BlockGrouping grouping = new BlockGrouping(List.of(), Duration.ofMinutes(30));
        assertThat(grouping.group(snapshot(List.of(young), Map.of()), u -> false, justAfter).groups()).isEmpty();
        assertThat(grouping.group(snapshot(List.of(young), Map.of()), young.ulid()::equals, justAfter).groups()).hasSize(1);
        assertThat(grouping.group(snapshot(List.of(young), Map.of()), u -> false, justAfter.plus(Duration.ofMinutes(30))).groups()).hasSize(1);
    }

    @Test
    void blocksMarkedForDeletionAreInvisible() {
        BlockMeta a = TestMetas.block(0, 2);
        var grouped = new BlockGrouping(List.of(), Duration.ZERO)
                .group(snapshot(List.of(a), Map.of(a.ulid(), DeletionMark.of(a.ulid(), "", 1))), u -> false, LATER);
        assertThat(grouped.groups()).isEmpty();
    }

    @Test
    void aBlockUploadedLongAfterItWasCutWaitsTheConsistencyDelayFromItsUpload() {
        BlockMeta backfilled = TestMetas.block(0, 2);
        Instant uploaded = Instant.ofEpochMilli(backfilled.ulid().timestamp()).plus(Duration.ofDays(3));
        backfilled = backfilled.withThanos(backfilled.thanos().withUploadTime(uploaded));
        BlockGrouping grouping = new BlockGrouping(List.of(), Duration.ofMinutes(30));
        assertThat(grouping.group(snapshot(List.of(backfilled), Map.of()), u -> false, uploaded.plusSeconds(60)).groups()).isEmpty();
        assertThat(grouping.group(snapshot(List.of(backfilled), Map.of()), u -> false, uploaded.plus(Duration.ofMinutes(31))).groups())
                .hasSize(1);
    }

    @Test
    void compactionKeepsTheExtensionKeysEverySourceHas() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        BlockMeta a = TestMetas.block(0, 2);
        BlockMeta b = TestMetas.block(2, 4);
        a = a.withThanos(a.thanos().withExtensions(json.readTree("{\"tenant\": \"t1\", \"only_a\": 1}")));
        b = b.withThanos(b.thanos().withExtensions(json.readTree("{\"tenant\": \"t2\", \"only_b\": 2}")));
        assertThat(BlockCompactor.commonExtensions(List.of(a, b))).isEqualTo(json.readTree("{\"tenant\": \"t1\"}"));
        assertThat(BlockCompactor.commonExtensions(List.of(a, TestMetas.block(4, 6)))).isNull();
    }
}
