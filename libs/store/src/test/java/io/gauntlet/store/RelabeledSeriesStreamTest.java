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
            Set<String> drop = randomDrop(random);
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
            source.tellsNameLists = random.nextBoolean();
            assertStreamsLikeSorting(source, external, drop, "round " + round);
        }
    }

    /**
     * A store gateway's case: no external label to add, replica labels dropped, series with and without them and with
     * and without labels before them; whether or not the source tells its label name lists (a block does), the answer
     * is the sorted merge of the rewritten series, and both release rules give the same series and chunks.
     */
    @Test
    void droppingLabelsMatchesSortingEverythingWithAndWithoutNameLists() throws Exception {
        Random random = new Random(7);
        String[] droppable = {"a", "cluster", "pod", "replica"};
        for (int round = 0; round < 20_000; round++) {
            Set<String> drop = new java.util.HashSet<>();
            for (String name : droppable) {
                if (random.nextInt(3) == 0) {
                    drop.add(name);
                }
            }
            FakeChunkSource source = new FakeChunkSource(Labels.EMPTY);
            int count = random.nextInt(16);
            double probability = 0.2 + random.nextDouble() * 0.7;
            for (int i = 0; i < count; i++) {
                Labels labels = randomLabels(random, probability).toBuilder().set("__name__", Integer.toString(random.nextInt(2))).build();
                source.add(labels, FakeChunkSource.xor(i, i, 1, i));
            }
            source.tellsNameLists = true;
            List<Map.Entry<Labels, List<Long>>> told = assertStreamsLikeSorting(source, Labels.EMPTY, drop, "round " + round + " told");
            source.tellsNameLists = false;
            List<Map.Entry<Labels, List<Long>>> untold = assertStreamsLikeSorting(source, Labels.EMPTY, drop, "round " + round + " untold");
            assertThat(told).isEqualTo(untold);
        }
    }

    /**
     * A month-long panel over one metric with many series, both replicas of each (what a dashboard's node_cpu panel
     * asks a store gateway for with deduplication): knowing that no series lacks a label before the replica label, the
     * window holds the replicas of one series at a time instead of the whole metric.
     */
    @Test
    void aLongMetricGroupStreamsThroughAWindowOfOneSeriesReplicas() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.EMPTY);
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        int outputs = 0;
        for (int instance = 0; instance < 6; instance++) {
            for (int cpu = 0; cpu < 32; cpu++) {
                for (String mode : modes) {
                    outputs++;
                    for (String replica : List.of("a", "b")) {
                        source.add(Labels.of("__name__", "node_cpu_seconds_total", "cluster", "local", "cpu", Integer.toString(cpu),
                                "instance", "node-" + instance + ":9100", "job", "node", "mode", mode, "prometheus_replica", replica),
                                FakeChunkSource.xor(0, 10, 1, replica.equals("a") ? 1 : 2), FakeChunkSource.xor(11, 20, 1, 3));
                    }
                }
            }
        }
        source.tellsNameLists = true;
        RelabeledSeriesStream bounded = drained(source, Set.of("prometheus_replica"), outputs);
        assertThat(bounded.maxPending()).as("series waiting at once").isLessThanOrEqualTo(2);

        // a source that cannot tell: the whole metric waits (what the name lists avoid)
        source.tellsNameLists = false;
        RelabeledSeriesStream whole = drained(source, Set.of("prometheus_replica"), outputs);
        assertThat(whole.maxPending()).isEqualTo(outputs);
    }

    private static RelabeledSeriesStream drained(FakeChunkSource source, Set<String> drop, int outputs) throws StorageException {
        RelabeledSeriesStream stream = new RelabeledSeriesStream(source.series(StoreQuery.of(0, 100, List.of())), Labels.EMPTY, drop, 0, 100,
                false, StoreLimits.NONE, () -> false);
        int count = 0;
        Map.Entry<Labels, List<EncodedChunk>> next;
        while ((next = stream.next()) != null) {
            assertThat(next.getKey().has("prometheus_replica")).isFalse();
            assertThat(next.getValue()).hasSize(3); // both replicas' first chunks and their shared second one
            count++;
        }
        assertThat(count).isEqualTo(outputs);
        return stream;
    }

    /** Streams the source's rewrite and checks it against sorting and merging everything; returns what it streamed. */
    private static List<Map.Entry<Labels, List<Long>>> assertStreamsLikeSorting(FakeChunkSource source, Labels external, Set<String> drop,
            String round) throws StorageException {
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
        List<Map.Entry<Labels, List<Long>>> streamed = new ArrayList<>();
        Map.Entry<Labels, List<EncodedChunk>> next;
        try {
            while ((next = stream.next()) != null) {
                List<Long> times = next.getValue().stream().map(EncodedChunk::minTime).sorted().toList();
                streamed.add(Map.entry(next.getKey(), times));
                actual.put(next.getKey(), times);
            }
        } catch (StorageException e) {
            throw new AssertionError(round + " external " + external + " drop " + drop + " series " + source.series.keySet(), e);
        }

        assertThat(streamed.stream().map(Map.Entry::getKey).toList()).as("%s: %s drop %s series %s", round, external, drop,
                source.series.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.values().forEach(list -> list.sort(null));
        assertThat(actual).isEqualTo(expected);
        return streamed;
    }

    private static Set<String> randomDrop(Random random) {
        return random.nextBoolean() ? Set.of("replica") : random.nextBoolean() ? Set.of() : Set.of("replica", "cluster");
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
