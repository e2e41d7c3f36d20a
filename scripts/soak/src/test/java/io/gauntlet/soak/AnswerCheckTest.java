package io.gauntlet.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.seed.SyntheticSeries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the soak calls right, partial, silently incomplete and wrong, on answers built from the exporter's own series. */
class AnswerCheckTest {
    private static final long INTERVAL = 5_000;
    private final ExpectedSeries expected = new ExpectedSeries(INTERVAL);
    private final long to = 1_800_000_002_000L;
    private final long from = to - 60_000;

    @Test
    void theExportersSamplesAreRight() {
        assertThat(AnswerCheck.raw(expected, answer(0, List.of()), from, to, 1).outcome()).isEqualTo(AnswerCheck.Outcome.OK);
    }

    @Test
    void aMissingSampleIsFineOnlyWithAWarning() {
        assertThat(AnswerCheck.raw(expected, answer(3, List.of()), from, to, 1).outcome()).isEqualTo(AnswerCheck.Outcome.SILENT_GAP);
        assertThat(AnswerCheck.raw(expected, answer(3, List.of("store 10.0.0.1:10901 unreachable")), from, to, 1).outcome())
                .isEqualTo(AnswerCheck.Outcome.PARTIAL);
    }

    @Test
    void aWrongValueIsWrongEvenWithAWarning() {
        QueryApi.Answer answer = answer(0, List.of("partial"));
        answer.series().getFirst().values()[2] += 1;
        assertThat(AnswerCheck.raw(expected, answer, from, to, 1).outcome()).isEqualTo(AnswerCheck.Outcome.WRONG);
    }

    @Test
    void aSeriesTwiceIsNotDeduplicated() {
        QueryApi.Answer answer = answer(0, List.of());
        List<QueryApi.Series> twice = new ArrayList<>(answer.series());
        twice.add(answer.series().getFirst());
        assertThat(AnswerCheck.raw(expected, new QueryApi.Answer(twice, List.of()), from, to, 1).detail()).contains("twice");
    }

    @Test
    void theExporterStampsTheGrid() {
        String text = SoakExporter.render(expected, to + 1_234);
        assertThat(text).contains("# TYPE gauntlet_seed_temperature_celsius gauge")
                .contains("gauntlet_seed_temperature_celsius{job=\"seed\",room=\"a\"} ").endsWith(" " + expected.gridTime(to + 1_234) + "\n");
        assertThat(text.lines().filter(line -> !line.startsWith("#"))).hasSize(expected.all().size());
    }

    @Test
    void penaltyDeduplicationLosesASampleOnlyTheSecondReplicaHas() {
        long[] a = {0, 5_000, 15_000, 20_000, 25_000};
        long[] b = {0, 5_000, 10_000, 15_000, 20_000, 25_000};
        // b's 10 s sample lies within twice the last step of the 5 s sample a gave: Thanos never switches for it
        assertThat(AnswerCheck.penaltyDedup(List.of(a, b))).containsExactly(0, 5_000, 15_000, 20_000, 25_000);
        // when a ends, b is still sought past the last step's penalty once, then read without penalty
        assertThat(AnswerCheck.penaltyDedup(List.of(new long[] {0, 5_000}, new long[] {0, 5_000, 10_000, 15_000, 20_000, 25_000})))
                .containsExactly(0, 5_000, 20_000, 25_000);
        // a longer gap in a is bridged by b from its first sample past the penalty on
        assertThat(AnswerCheck.penaltyDedup(List.of(new long[] {0, 5_000, 30_000}, new long[] {0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000})))
                .containsExactly(0, 5_000, 20_000, 25_000, 30_000);
    }

    @Test
    void aGapPenaltyDeduplicationExplainsIsNotSilentDataLoss() {
        long a1 = expected.gridTime(to) - 5 * INTERVAL;
        long a2 = expected.gridTime(to) - 4 * INTERVAL;
        long a3 = expected.gridTime(to) - 3 * INTERVAL;
        // replica a missed two scrapes that b has: on the same grid, b is sought past a2 (twice the step plus 1 ms)
        QueryApi.Answer replicas = replicas(answer(0, List.of(), a1, a2), answer(0, List.of()));
        QueryApi.Answer deduplicated = answer(0, List.of(), a1, a2);
        AnswerCheck.Verdict first = AnswerCheck.raw(expected, deduplicated, from, to, 1);
        assertThat(first.outcome()).isEqualTo(AnswerCheck.Outcome.SILENT_GAP);
        AnswerCheck.Verdict explained = AnswerCheck.explainByPenaltyDedup(expected, first, deduplicated, replicas, from, from, to, 1);
        assertThat(explained.outcome()).isEqualTo(AnswerCheck.Outcome.DEDUP_DROPPED);
        assertThat(explained.detail()).startsWith((2 * expected.all().size()) + " sample(s)");

        // the querier left out a sample the algorithm takes: still silent
        QueryApi.Answer short3 = answer(0, List.of(), a1, a2, a3);
        assertThat(AnswerCheck.explainByPenaltyDedup(expected, AnswerCheck.raw(expected, short3, from, to, 1), short3, replicas, from, from, to, 1)
                .outcome()).isEqualTo(AnswerCheck.Outcome.SILENT_GAP);
        // neither replica has the two samples: the algorithm is not to blame, the gap stays silent
        QueryApi.Answer bothMissed = replicas(answer(0, List.of(), a1, a2), answer(0, List.of(), a1, a2));
        assertThat(AnswerCheck.explainByPenaltyDedup(expected, first, deduplicated, bothMissed, from, from, to, 1).outcome())
                .isEqualTo(AnswerCheck.Outcome.SILENT_GAP);
    }

    /** Both replicas' series of two answers, labelled as the querier returns them without deduplication. */
    private static QueryApi.Answer replicas(QueryApi.Answer a, QueryApi.Answer b) {
        List<QueryApi.Series> all = new ArrayList<>();
        for (QueryApi.Answer answer : List.of(a, b)) {
            String replica = answer == a ? "a" : "b";
            for (QueryApi.Series series : answer.series()) {
                Map<String, String> labels = new HashMap<>(series.labels());
                labels.put("prometheus_replica", replica);
                all.add(new QueryApi.Series(labels, series.times(), series.values()));
            }
        }
        return new QueryApi.Answer(all, List.of());
    }

    /** Every series' samples in (from, to] but those at {@code without}. */
    private QueryApi.Answer answer(int drop, List<String> warnings, long... without) {
        QueryApi.Answer full = answer(drop, warnings);
        List<QueryApi.Series> series = new ArrayList<>();
        for (QueryApi.Series s : full.series()) {
            int n = 0;
            long[] times = new long[s.times().length];
            double[] values = new double[s.times().length];
            for (int i = 0; i < s.times().length; i++) {
                long t = s.times()[i];
                if (java.util.Arrays.stream(without).noneMatch(w -> w == t)) {
                    times[n] = t;
                    values[n++] = s.values()[i];
                }
            }
            series.add(new QueryApi.Series(s.labels(), java.util.Arrays.copyOf(times, n), java.util.Arrays.copyOf(values, n)));
        }
        return new QueryApi.Answer(series, warnings);
    }

    /** Every series' samples in (from, to], as the querier would return them, {@code drop} samples fewer per series. */
    private QueryApi.Answer answer(int drop, List<String> warnings) {
        List<QueryApi.Series> series = new ArrayList<>();
        for (SyntheticSeries own : expected.all()) {
            Map<String, String> labels = new HashMap<>(own.labels().toMap());
            labels.put("cluster", "slave1");
            labels.put("instance", "127.0.0.1:9100");
            int n = (int) ((expected.gridTime(to) - expected.gridTime(from)) / INTERVAL) - drop;
            long[] times = new long[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                times[i] = expected.gridTime(to) - (long) (n - 1 - i) * INTERVAL;
                values[i] = ExpectedSeries.value(own, times[i]);
            }
            series.add(new QueryApi.Series(labels, times, values));
        }
        return new QueryApi.Answer(series, warnings);
    }
}
