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
