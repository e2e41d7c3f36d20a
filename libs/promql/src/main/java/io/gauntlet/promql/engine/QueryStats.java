package io.gauntlet.promql.engine;

/**
 * What Prometheus 2.42 reports with {@code stats=…}: the samples a query read ({@code totalQueryableSamples}, also per
 * step), the most it held at once ({@code peakSamples}), and how long it prepared (selected series), evaluated and
 * sorted, in nanoseconds. Samples are counted where Prometheus counts them: one per instant-vector point, the window's
 * samples per step of a range function, a range selector's samples, a subquery's inner samples only when it is not
 * a function's argument, and a step-invariant subtree's samples at every step.
 */
public final class QueryStats {
    private final long start;
    private final long interval;
    private final long[] perStep;
    private long total;
    private long peak;
    long preparationNanos;
    long innerEvalNanos;
    long sortNanos;

    private QueryStats(long start, long interval, long[] perStep) {
        this.start = start;
        this.interval = interval;
        this.perStep = perStep;
    }

    /** The statistics of a query evaluated at {@code start, start+interval, …, end}. */
    static QueryStats of(long start, long end, long interval) {
        long step = Math.max(1, interval);
        return new QueryStats(start, step, new long[(int) ((end - start) / step) + 1]);
    }

    /** A subquery's or step-invariant subtree's own count: no steps, folded into its parent by the evaluator. */
    QueryStats child() {
        return new QueryStats(0, 1, null);
    }

    void incrementAtStep(int step, long samples) {
        total += samples;
        if (perStep != null && step >= 0 && step < perStep.length) {
            perStep[step] += samples;
        }
    }

    void incrementAtTimestamp(long timestamp, long samples) {
        incrementAtStep((int) ((timestamp - start) / interval), samples);
    }

    void updatePeak(long current) {
        peak = Math.max(peak, current);
    }

    void updatePeakFromChild(QueryStats child) {
        peak = Math.max(peak, child.peak);
    }

    long total() {
        return total;
    }

    public long totalQueryableSamples() {
        return total;
    }

    public long peakSamples() {
        return peak;
    }

    /** The first step's time in milliseconds. */
    public long start() {
        return start;
    }

    /** Milliseconds between steps (1 for an instant query). */
    public long interval() {
        return interval;
    }

    /** Samples read at each step. */
    public long[] totalQueryableSamplesPerStep() {
        return perStep.clone();
    }

    public long queryPreparationNanos() {
        return preparationNanos;
    }

    public long innerEvalNanos() {
        return innerEvalNanos;
    }

    public long resultSortNanos() {
        return sortNanos;
    }
}
