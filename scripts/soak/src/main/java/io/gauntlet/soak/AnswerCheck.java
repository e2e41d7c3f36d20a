package io.gauntlet.soak;

import io.gauntlet.seed.SyntheticSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a querier's answer against what the exporters imply. Wrong is wrong whatever the warnings say (a value the
 * exporter never served, a sample off the grid or twice, a series nobody exports); missing data is fine only when a
 * partial-response warning owns up to it.
 */
final class AnswerCheck {
    /**
     * {@code DEDUP_DROPPED}: complete but for samples one replica alone holds, which Thanos' penalty deduplication
     * leaves out by design (both replicas' samples stay in the bucket); not a failure.
     */
    enum Outcome { OK, PARTIAL, SILENT_GAP, DEDUP_DROPPED, WRONG, ERROR }

    record Verdict(Outcome outcome, String detail) {
        static Verdict ok() {
            return new Verdict(Outcome.OK, "");
        }
    }

    private AnswerCheck() {
    }

    /**
     * A range-vector selection of one cluster's series over {@code (from, to]}: every series, every grid sample in the
     * window, each value exact. {@code slack} grid points may be missing per series (a scrape both replicas missed).
     */
    static Verdict raw(ExpectedSeries expected, QueryApi.Answer answer, long from, long to, int slack) {
        Set<SyntheticSeries> seen = new HashSet<>();
        long want = (expected.gridTime(to) - expected.gridTime(from)) / expected.interval();
        String missing = null;
        for (QueryApi.Series series : answer.series()) {
            SyntheticSeries own = expected.find(series.labels());
            if (own == null) {
                return new Verdict(Outcome.WRONG, "a series no exporter serves: " + series.labels());
            }
            if (!seen.add(own)) {
                return new Verdict(Outcome.WRONG, "the series twice (not deduplicated): " + series.labels());
            }
            Verdict samples = samples(expected, own, series, from, to);
            if (samples != null) {
                return samples;
            }
            if (series.times().length < want - slack && missing == null) {
                missing = series.times().length + " of " + want + " samples of " + own.labels();
            }
        }
        if (seen.size() < expected.all().size() && missing == null) {
            missing = seen.size() + " of " + expected.all().size() + " series";
        }
        return gap(answer, missing);
    }

    /**
     * A range query of one cluster's gauges over {@code [start, end]}: a value at every step (the 5 minute look-back
     * covers any gap of the soak), each the exporter's value at a grid point at most {@code staleness} ms before the step.
     */
    static Verdict range(ExpectedSeries expected, QueryApi.Answer answer, long start, long end, long step, long staleness, int wantSeries) {
        Set<SyntheticSeries> seen = new HashSet<>();
        String missing = null;
        long steps = (end - start) / step + 1;
        for (QueryApi.Series series : answer.series()) {
            SyntheticSeries own = expected.find(series.labels());
            if (own == null) {
                return new Verdict(Outcome.WRONG, "a series no exporter serves: " + series.labels());
            }
            if (!seen.add(own)) {
                return new Verdict(Outcome.WRONG, "the series twice (not deduplicated): " + series.labels());
            }
            for (int i = 0; i < series.times().length; i++) {
                long at = series.times()[i];
                if (at < start || at > end || Math.floorMod(at - start, step) != 0) {
                    return new Verdict(Outcome.WRONG, "a step outside the query's: " + at + " in " + own.labels());
                }
                if (!recentValue(expected, own, at, staleness, series.values()[i])) {
                    boolean older = recentValue(expected, own, at, 300_000L, series.values()[i]);
                    if (!older) {
                        return new Verdict(Outcome.WRONG, "value " + series.values()[i] + " at " + at + " is no sample of the last 5 minutes of " + own.labels());
                    }
                    missing = missing == null ? "a value older than " + staleness + " ms at " + at + " in " + own.labels() : missing;
                }
            }
            if (series.times().length < steps && missing == null) {
                missing = series.times().length + " of " + steps + " steps of " + own.labels();
            }
        }
        if (seen.size() < wantSeries && missing == null) {
            missing = seen.size() + " of " + wantSeries + " series";
        }
        return gap(answer, missing);
    }

    /** Every sample on the grid, in the window, increasing, and the exporter's exact value; null when so. */
    static Verdict samples(ExpectedSeries expected, SyntheticSeries own, QueryApi.Series series, long from, long to) {
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < series.times().length; i++) {
            long t = series.times()[i];
            if (!expected.onGrid(t) || t <= from || t > to) {
                return new Verdict(Outcome.WRONG, "sample at " + t + " off the grid or outside (" + from + ", " + to + "] in " + own.labels());
            }
            if (t <= previous) {
                return new Verdict(Outcome.WRONG, "sample at " + t + " after " + previous + " (twice or out of order) in " + own.labels());
            }
            previous = t;
            double want = ExpectedSeries.value(own, t);
            if (Double.compare(want, series.values()[i]) != 0) {
                return new Verdict(Outcome.WRONG, "value " + series.values()[i] + " at " + t + ", the exporter served " + want + " in " + own.labels());
            }
        }
        return null;
    }

    /**
     * A raw answer judged {@link Outcome#SILENT_GAP}, looked at again with the replicas apart ({@code dedup=false} over
     * {@code (lookFrom, to]}, {@code lookFrom} before {@code from} so the deduplication starts in the state the querier's
     * did): when every deduplicated series' samples in {@code (from, to]} are exactly what Thanos' penalty deduplication
     * picks from its replicas' samples (each of which is the exporter's own), the gap is that algorithm's known loss of
     * a sample only one replica scraped, not data missing from the stores: {@link Outcome#DEDUP_DROPPED}, provided the
     * replicas' samples together pass {@link #raw} with the same {@code slack}. Anything else, or warnings on the second
     * answer, leaves the first verdict as it was.
     */
    static Verdict explainByPenaltyDedup(ExpectedSeries expected, Verdict first, QueryApi.Answer deduplicated, QueryApi.Answer replicas,
            long lookFrom, long from, long to, int slack) {
        if (first.outcome() != Outcome.SILENT_GAP || !replicas.warnings().isEmpty()) {
            return first;
        }
        Map<SyntheticSeries, List<QueryApi.Series>> byOwn = new HashMap<>();
        for (QueryApi.Series series : replicas.series()) {
            SyntheticSeries own = expected.find(series.labels());
            if (own == null || samples(expected, own, series, lookFrom, to) != null) {
                return first;
            }
            byOwn.computeIfAbsent(own, k -> new ArrayList<>()).add(series);
        }
        int dropped = 0;
        List<QueryApi.Series> union = new ArrayList<>();
        for (QueryApi.Series series : deduplicated.series()) {
            SyntheticSeries own = expected.find(series.labels());
            List<QueryApi.Series> ofIt = byOwn.getOrDefault(own, List.of());
            ofIt.sort(Comparator.comparing(s -> s.labels().getOrDefault("prometheus_replica", "")));
            long[] picked = penaltyDedup(ofIt.stream().map(QueryApi.Series::times).toList());
            long[] inWindow = Arrays.stream(picked).filter(t -> t > from && t <= to).toArray();
            if (!Arrays.equals(inWindow, series.times())) {
                return first;
            }
            long[] stored = ofIt.stream().flatMapToLong(s -> Arrays.stream(s.times())).filter(t -> t > from && t <= to).distinct().sorted().toArray();
            double[] values = Arrays.stream(stored).mapToDouble(t -> ExpectedSeries.value(own, t)).toArray();
            union.add(new QueryApi.Series(series.labels(), stored, values));
            dropped += stored.length - inWindow.length;
        }
        // and what the replicas hold together is complete: a scrape both missed is a gap no deduplication explains
        if (deduplicated.series().size() != byOwn.size() || raw(expected, new QueryApi.Answer(union, List.of()), from, to, slack).outcome() != Outcome.OK) {
            return first;
        }
        return new Verdict(Outcome.DEDUP_DROPPED, dropped + " sample(s) only one replica has, left out by penalty deduplication as Thanos does ("
                + first.detail() + ")");
    }

    /**
     * The timestamps Thanos' penalty deduplication takes from replicas (in the querier's order): the earlier of the two
     * next samples, the other replica sought past the last taken one plus twice the last step taken (5 s before any
     * step is known), so a replica is not switched to for a sample too close to the last; more than two fold pairwise.
     */
    static long[] penaltyDedup(List<long[]> replicas) {
        if (replicas.isEmpty()) {
            return new long[0];
        }
        long[] merged = replicas.getFirst();
        for (int i = 1; i < replicas.size(); i++) {
            merged = penaltyPair(merged, replicas.get(i));
        }
        return merged;
    }

    private static long[] penaltyPair(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int n = 0;
        int ia = 0;
        int ib = 0;
        long last = Long.MIN_VALUE;
        long penaltyA = 0;
        long penaltyB = 0;
        while (true) {
            if (last != Long.MIN_VALUE) {
                ia = seek(a, ia, last + 1 + penaltyA);
                ib = seek(b, ib, last + 1 + penaltyB);
            }
            if (ia >= a.length && ib >= b.length) {
                return Arrays.copyOf(out, n);
            }
            boolean useA = ib >= b.length || (ia < a.length && a[ia] <= b[ib]);
            long t = useA ? a[ia] : b[ib];
            if (ia < a.length && ib < b.length) { // both still have samples: the one not taken is penalised
                long penalty = last == Long.MIN_VALUE ? 5_000 : 2 * (t - last);
                penaltyA = useA ? 0 : penalty;
                penaltyB = useA ? penalty : 0;
            } else if (useA) { // the other replica ended: the one left is read without penalty
                penaltyA = 0;
            } else {
                penaltyB = 0;
            }
            out[n++] = t;
            last = t;
        }
    }

    private static int seek(long[] times, int from, long atLeast) {
        int i = from;
        while (i < times.length && times[i] < atLeast) {
            i++;
        }
        return i;
    }

    private static boolean recentValue(ExpectedSeries expected, SyntheticSeries own, long at, long staleness, double value) {
        for (long g = expected.gridTime(at); g > at - staleness; g -= expected.interval()) {
            if (Double.compare(ExpectedSeries.value(own, g), value) == 0) {
                return true;
            }
        }
        return false;
    }

    private static Verdict gap(QueryApi.Answer answer, String missing) {
        if (missing == null) {
            return answer.warnings().isEmpty() ? Verdict.ok() : new Verdict(Outcome.PARTIAL, "complete, with warnings " + abbreviate(answer.warnings()));
        }
        return answer.warnings().isEmpty() ? new Verdict(Outcome.SILENT_GAP, missing)
                : new Verdict(Outcome.PARTIAL, missing + "; warnings " + abbreviate(answer.warnings()));
    }

    private static String abbreviate(List<String> warnings) {
        String text = String.join(" | ", warnings);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
