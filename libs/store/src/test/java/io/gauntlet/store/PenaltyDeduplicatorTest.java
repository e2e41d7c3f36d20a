package io.gauntlet.store;

import static io.gauntlet.store.ArraySamples.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.storage.SampleIterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Thanos penalty algorithm, worked through by hand on replicas scraped every 10 s. */
class PenaltyDeduplicatorTest {

    @Test
    void staysOnOneReplicaWhileItHasNoGap() throws Exception {
        SampleIterator merged = PenaltyDeduplicator.of(List.of(ArraySamples.every(0, 50_000, 10_000, 0),
                ArraySamples.every(5_000, 55_000, 10_000, 100)), false);

        // B's samples fall between A's and never win (B seeks lastT + 1 + 20 s): the merged series keeps A's interval
        assertThat(drain(merged)).containsExactly("0=0", "10000=1", "20000=2", "30000=3", "40000=4", "50000=5");
    }

    @Test
    void switchesOnlyAcrossAGapLargerThanThePenalty() throws Exception {
        SampleIterator a = ArraySamples.of(0, 1, 10_000, 2, 20_000, 3, 30_000, 4, 80_000, 9, 90_000, 10);
        SampleIterator b = ArraySamples.every(5_000, 95_000, 10_000, 100);

        // after A@30000 both seek 30001 (A) and 50001 (B, penalty 2 × 10 s): B@55000 is earlier, wins; A then
        // carries a 50 s penalty and never comes back before its data ends
        assertThat(drain(PenaltyDeduplicator.of(List.of(a, b), false)))
                .containsExactly("0=1", "10000=2", "20000=3", "30000=4", "55000=105", "65000=106", "75000=107", "85000=108", "95000=109");
    }

    @Test
    void tiesGoToTheFirstReplica() throws Exception {
        SampleIterator merged = PenaltyDeduplicator.of(List.of(ArraySamples.every(0, 30_000, 10_000, 0),
                ArraySamples.every(0, 30_000, 10_000, 100)), false);

        assertThat(drain(merged)).containsExactly("0=0", "10000=1", "20000=2", "30000=3");
    }

    @Test
    void initialPenaltyIsFiveSeconds() throws Exception {
        // B starts 4 s after A: within the 5000 ms initial penalty, so B@4000 is skipped and B@9000 wins over A's gap
        SampleIterator a = ArraySamples.of(0, 1, 60_000, 2);
        SampleIterator b = ArraySamples.of(4_000, 10, 9_000, 11, 19_000, 12);

        assertThat(drain(PenaltyDeduplicator.of(List.of(a, b), false))).containsExactly("0=1", "9000=11", "19000=12", "60000=2");
    }

    @Test
    void counterVariantDoesNotGoDownWhenSwitchingToALowerReplica() throws Exception {
        SampleIterator a = ArraySamples.of(0, 10, 10_000, 20, 20_000, 30);
        SampleIterator b = ArraySamples.every(5_000, 65_000, 10_000, 1); // restarted replica, counter far lower

        SampleIterator gauge = PenaltyDeduplicator.of(List.of(ArraySamples.of(0, 10, 10_000, 20, 20_000, 30),
                ArraySamples.every(5_000, 65_000, 10_000, 1)), false);
        SampleIterator counter = PenaltyDeduplicator.of(List.of(a, b), true);

        assertThat(drain(gauge)).containsExactly("0=10", "10000=20", "20000=30", "45000=5", "55000=6", "65000=7");
        // switching to B at 45000 (value 5) after 30: offset 25 keeps the counter monotonic
        assertThat(drain(counter)).containsExactly("0=10", "10000=20", "20000=30", "45000=30", "55000=31", "65000=32");
        assertThat(PenaltyDeduplicator.isCounterFunction("rate")).isTrue();
        assertThat(PenaltyDeduplicator.isCounterFunction("avg_over_time")).isFalse();
    }

    @Test
    void thanosIssue2401ReplicaWithHiccupWithForwardOnlySeeks() throws Exception {
        // the case of Thanos' dedup regression test for issue 2401. Thanos' mock iterator can seek backwards and
        // so brings back A@90000; real chunk iterators (and this SPI) never move back: once A was sought to
        // 95004 (lastT 45001 + 1 + penalty 50002) it stays at 100000 and 90000 is not returned
        double[] a = {10000, 8, 20000, 9, 50001, 10, 60000, 11, 70000, 12, 80000, 13, 90000, 14, 100000, 15};
        double[] b = {10001, 8, 45001, 8.5, 55001, 9.5, 65001, 10.5};

        assertThat(drain(PenaltyDeduplicator.of(List.of(ArraySamples.pairs(a), ArraySamples.pairs(b)), true)))
                .containsExactly("10000=8", "20000=9", "45001=9", "55001=10", "65001=11", "100000=15");
        assertThat(drain(PenaltyDeduplicator.of(List.of(ArraySamples.pairs(a), ArraySamples.pairs(b)), false)))
                .containsExactly("10000=8", "20000=9", "45001=8.5", "55001=9.5", "65001=10.5", "100000=15");
    }

    @Test
    void aRealCounterResetOnTheChosenReplicaIsKept() throws Exception {
        SampleIterator a = ArraySamples.of(0, 10, 10_000, 20, 20_000, 2, 30_000, 5); // restarted at 20 s
        SampleIterator b = ArraySamples.of(5_000, 11, 15_000, 21, 25_000, 3, 35_000, 6);

        assertThat(drain(PenaltyDeduplicator.of(List.of(a, b), true))).containsExactly("0=10", "10000=20", "20000=2", "30000=5"); // B@35000 lies in its 20 s penalty
    }

    @Test
    void threeReplicasMergePairwiseAndSeekWalksWithoutSkippingGaps() throws Exception {
        SampleIterator merged = PenaltyDeduplicator.of(List.of(ArraySamples.of(0, 1, 10_000, 2),
                ArraySamples.of(40_000, 5, 50_000, 6), ArraySamples.every(0, 50_000, 10_000, 100)), false);

        // the first pair yields 0, 10000, then (after its own 20 s penalty) 40000, 50000; the third replica's
        // 30000 lies inside the outer penalty window (10000 + 1 + 20000), and at 40000 the tie goes to the pair
        assertThat(merged.seek(25_000)).isTrue();
        assertThat(merged.timestamp()).isEqualTo(40_000);
        assertThat(merged.value()).isEqualTo(5);
        assertThat(merged.seek(10_000)).isTrue(); // never moves backwards
        assertThat(merged.timestamp()).isEqualTo(40_000);
        assertThat(drain(merged)).containsExactly("50000=6");
        assertThat(merged.seek(60_000)).isFalse();
    }

    @Test
    void oneReplicaIsReturnedAsIsAndEmptyReplicasAreHarmless() throws Exception {
        SampleIterator only = ArraySamples.every(0, 10_000, 10_000, 0);
        assertThat(PenaltyDeduplicator.of(List.of(only), false)).isSameAs(only);
        assertThat(drain(PenaltyDeduplicator.of(List.of(SampleIterator.EMPTY, ArraySamples.every(0, 10_000, 10_000, 7)), true)))
                .containsExactly("0=7", "10000=8");
    }
}
