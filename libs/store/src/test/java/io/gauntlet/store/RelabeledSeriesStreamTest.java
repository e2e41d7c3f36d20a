package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The streamed, windowed rewrite gives exactly what sorting the whole rewritten answer would give. */
class RelabeledSeriesStreamTest {
    private static final String[] NAMES = {"__name__", "a", "cluster", "job", "pod", "replica", "z"};

    @Test
    void matchesSortingEverythingForRandomSeries() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            Labels external = randomLabels(random, 0.25);
            Set<String> drop = random.nextBoolean() ? Set.of("replica") : random.nextBoolean() ? Set.of() : Set.of("replica", "cluster");
            boolean seriesCarryTouched = random.nextInt(3) == 0;
            FakeChunkSource source = new FakeChunkSource(external);
            int count = random.nextInt(12);
            for (int i = 0; i < count; i++) {
                // every real series has a metric name
                Labels labels = randomLabels(random, 0.45).toBuilder().set("__name__", Integer.toString(random.nextInt(2))).build();
                if (!seriesCarryTouched) {
                    labels = labels.without(external.names()).without(drop);
                } else if (!drop.isEmpty() || !external.isEmpty()) {
                    // sources are uniform: here every series carries a rewritten label (a store gateway's block labels)
                    String touched = !drop.isEmpty() ? drop.iterator().next() : external.name(0);
                    labels = labels.toBuilder().set(touched, Integer.toString(random.nextInt(2))).build();
                }
                source.add(labels, FakeChunkSource.xor(i, i, 1, i));
            }

            TreeMap<Labels, List<Long>> expected = new TreeMap<>();
            for (var entry : source.series.entrySet()) {
                Labels.Builder builder = entry.getKey().toBuilder();
                drop.forEach(builder::delete);
                external.without(drop).forEach(builder::set);
                expected.computeIfAbsent(builder.build(), k -> new ArrayList<>()).add(entry.getValue().getFirst().minTime());
            }
            RelabeledSeriesStream stream = new RelabeledSeriesStream(source.series(StoreQuery.of(0, 100, List.of())), external, drop,
                    0, 100, false, StoreLimits.NONE, () -> false);
            TreeMap<Labels, List<Long>> actual = new TreeMap<>();
            List<Labels> order = new ArrayList<>();
            Map.Entry<Labels, List<EncodedChunk>> next;
            try {
                while ((next = stream.next()) != null) {
                    order.add(next.getKey());
                    actual.put(next.getKey(), next.getValue().stream().map(EncodedChunk::minTime).sorted().toList());
                }
            } catch (StorageException e) {
                throw new AssertionError("round " + round + " external " + external + " drop " + drop + " series " + source.series.keySet(), e);
            }

            assertThat(order).as("round %d: %s drop %s series %s", round, external, drop, source.series.keySet())
                    .containsExactlyElementsOf(expected.keySet());
            expected.values().forEach(list -> list.sort(null));
            assertThat(actual).isEqualTo(expected);
        }
    }

    private static Labels randomLabels(Random random, double probability) {
        Labels.Builder builder = Labels.builder();
        for (String name : NAMES) {
            if (random.nextDouble() < probability) {
                builder.set(name, Integer.toString(random.nextInt(2)));
            }
        }
        return builder.build();
    }
}
