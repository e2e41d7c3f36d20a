package io.gauntlet.soak;

import io.gauntlet.seed.SyntheticSeries;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges a querier's answer against what the exporters imply. Wrong is wrong whatever the warnings say (a value the
 * exporter never served, a sample off the grid or twice, a series nobody exports); missing data is fine only when a
 * partial-response warning owns up to it.
 */
final class AnswerCheck {
    enum Outcome { OK, PARTIAL, SILENT_GAP, WRONG, ERROR }

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
