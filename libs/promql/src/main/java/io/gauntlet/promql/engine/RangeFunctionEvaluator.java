package io.gauntlet.promql.engine;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The range-vector functions of one call: slides the window {@code [maxt - range, maxt]} (both ends inclusive, as in
 * Prometheus 2.x) over each series' samples, one value per step, without copying the window.
 */
final class RangeFunctionEvaluator {
    private static final int MAX_RESERVED_POINTS = 11_000;
    private final EvaluationContext context;
    private final long start;
    private final long end;
    private final long interval;

    RangeFunctionEvaluator(EvaluationContext context, long start, long end, long interval) {
        this.context = context;
        this.start = start;
        this.end = end;
        this.interval = interval;
    }

    enum RangeKind {
        RATE, INCREASE, DELTA, IRATE, IDELTA, DERIV, PREDICT_LINEAR, HOLT_WINTERS, CHANGES, RESETS, AVG, MIN, MAX, SUM,
        COUNT, LAST, PRESENT, ABSENT, QUANTILE, STDDEV, STDVAR
    }

    static RangeKind rangeKind(String name) {
        return switch (name) {
            case "rate" -> RangeKind.RATE;
            case "increase" -> RangeKind.INCREASE;
            case "delta" -> RangeKind.DELTA;
            case "irate" -> RangeKind.IRATE;
            case "idelta" -> RangeKind.IDELTA;
            case "deriv" -> RangeKind.DERIV;
            case "predict_linear" -> RangeKind.PREDICT_LINEAR;
            case "holt_winters" -> RangeKind.HOLT_WINTERS;
            case "changes" -> RangeKind.CHANGES;
            case "resets" -> RangeKind.RESETS;
            case "avg_over_time" -> RangeKind.AVG;
            case "min_over_time" -> RangeKind.MIN;
            case "max_over_time" -> RangeKind.MAX;
            case "sum_over_time" -> RangeKind.SUM;
            case "count_over_time" -> RangeKind.COUNT;
            case "last_over_time" -> RangeKind.LAST;
            case "present_over_time" -> RangeKind.PRESENT;
            case "absent_over_time" -> RangeKind.ABSENT;
            case "quantile_over_time" -> RangeKind.QUANTILE;
            case "stddev_over_time" -> RangeKind.STDDEV;
            case "stdvar_over_time" -> RangeKind.STDVAR;
            default -> throw new QueryExecutionException(ErrorType.INTERNAL, "not a range-vector function: " + name);
        };
    }

    /**
     * Values of the function for every series of {@code source} at every step; scalars holds the other arguments per
     * step. The window ends at the step time minus {@code offset}, or at {@code at} minus offset when pinned.
     */
    List<SeriesBuffer> evaluate(RangeKind kind, SeriesBuffer[] source, double[][] scalars, long offset, long range,
            Long at) {
        int[] next = {0};
        return evaluate(kind, () -> next[0] < source.length ? source[next[0]++] : null, scalars, offset, range, at);
    }

    /** The series a function reads, one after the other; null at the end. What it hands out may be reused after. */
    interface SeriesSource {
        SeriesBuffer next();
    }

    /** As above, reading the series from {@code source}: only the labels of each are kept. */
    List<SeriesBuffer> evaluate(RangeKind kind, SeriesSource source, double[][] scalars, long offset, long range,
            Long at) {
        int steps = start > end ? 0 : (int) ((end - start) / interval) + 1;
        boolean keepName = kind == RangeKind.LAST;
        double[] regression = new double[2];
        double[] paired = new double[2];
        List<SeriesBuffer> result = new ArrayList<>();
        for (SeriesBuffer series = source.next(); series != null; series = source.next()) {
            context.checkCancelled();
            SeriesBuffer out = null;
            long[] t = series.timestamps;
            double[] v = series.values;
            int low = 0;
            int high = 0;
            int step = -1;
            int pairedStep = -1; // avg_over_time computed ahead for this step over paired[Low, High)
            int pairedLow = 0;
            int pairedHigh = 0;
            for (long ts = start; ts <= end; ts += interval) {
                step++;
                long maxt = (at == null ? ts : at) - offset;
                long mint = maxt - range;
                if (high > 0 && t[high - 1] > maxt || low > 0 && t[low - 1] >= mint) {
                    low = 0;
                    high = 0;
                }
                while (high < series.size && t[high] <= maxt) {
                    high++;
                }
                while (low < high && t[low] < mint) {
                    low++;
                }
                int count = high - low;
                if (count == 0) {
                    if (at == null && series.size > 0) {
                        // skip the steps before the first sample and stop once every sample is behind the window:
                        // a subquery of billions of steps over a short series must not walk every step
                        if (high == 0) {
                            long skip = (t[0] - maxt - 1) / interval;
                            ts += skip * interval;
                            step += (int) skip;
                        } else if (low == series.size) {
                            break;
                        }
                    }
                    continue;
                }
                context.checkTransientSamples(count);
                context.samples.incrementAtStep(step, count);
                double value;
                FloatHistogram histogram = null;
                switch (kind) {
                    case RATE, INCREASE, DELTA -> {
                        if (count < 2) {
                            continue;
                        }
                        if (series.histograms != null && hasHistogram(series.histograms, low, high)) {
                            histogram = histogramRate(series.histograms, t, low, high, mint, maxt, range, kind);
                            if (histogram == null) {
                                continue;
                            }
                            value = 0;
                        } else {
                            value = RangeFunctions.extrapolatedRate(t, v, low, high, mint, maxt, range,
                                    kind != RangeKind.DELTA, kind == RangeKind.RATE);
                        }
                    }
                    case IRATE, IDELTA -> {
                        if (!RangeFunctions.hasInstantValue(t, low, high)) {
                            continue;
                        }
                        value = RangeFunctions.instantValue(t, v, low, high, kind == RangeKind.IRATE);
                    }
                    case DERIV -> {
                        if (count < 2) {
                            continue;
                        }
                        RangeFunctions.linearRegression(t, v, low, high, t[low], regression);
                        value = regression[0];
                    }
                    case PREDICT_LINEAR -> {
                        if (count < 2) {
                            continue;
                        }
                        RangeFunctions.linearRegression(t, v, low, high, ts, regression);
                        value = regression[0] * scalars[1][step] + regression[1];
                    }
                    case HOLT_WINTERS -> {
                        double smoothing = scalars[1][step];
                        double trend = scalars[2][step];
                        if (smoothing <= 0 || smoothing >= 1) {
                            throw QueryExecutionException.execution(
                                    "invalid smoothing factor. Expected: 0 < sf < 1, got: " + String.format("%f", smoothing));
                        }
                        if (trend <= 0 || trend >= 1) {
                            throw QueryExecutionException.execution(
                                    "invalid trend factor. Expected: 0 < tf < 1, got: " + String.format("%f", trend));
                        }
                        if (count < 2) {
                            continue;
                        }
                        value = RangeFunctions.holtWinters(v, low, high, smoothing, trend);
                    }
                    case CHANGES -> value = RangeFunctions.changes(v, low, high);
                    case RESETS -> value = RangeFunctions.resets(v, low, high);
                    case AVG -> {
                        if (pairedStep == step && pairedLow == low && pairedHigh == high) {
                            value = paired[1];
                        } else {
                            // the next step's window too when it has samples: both averages in one interleaved pass
                            long nextMaxt = maxt + interval;
                            int nextHigh = high;
                            while (nextHigh < series.size && t[nextHigh] <= nextMaxt) {
                                nextHigh++;
                            }
                            int nextLow = low;
                            while (nextLow < nextHigh && t[nextLow] < nextMaxt - range) {
                                nextLow++;
                            }
                            if (at == null && ts + interval <= end && nextLow < nextHigh) {
                                RangeFunctions.avgOverTimeOfTwo(v, low, high, nextLow, nextHigh, paired);
                                pairedStep = step + 1;
                                pairedLow = nextLow;
                                pairedHigh = nextHigh;
                                value = paired[0];
                            } else {
                                value = RangeFunctions.avgOverTime(v, low, high);
                            }
                        }
                    }
                    case MIN -> value = RangeFunctions.minOverTime(v, low, high);
                    case MAX -> value = RangeFunctions.maxOverTime(v, low, high);
                    case SUM -> value = KahanSum.sum(v, low, high);
                    case COUNT -> value = count;
                    case LAST -> value = v[high - 1];
                    case PRESENT, ABSENT -> value = 1;
                    case QUANTILE -> value = context.rangeFunctions.quantileOverTime(scalars[0][step], v, low, high);
                    case STDDEV -> value = Math.sqrt(RangeFunctions.stdvarOverTime(v, low, high));
                    case STDVAR -> value = RangeFunctions.stdvarOverTime(v, low, high);
                    default -> throw new IllegalStateException();
                }
                if (out == null) {
                    // room for every remaining step a sample can reach (each lies in range/interval+1 windows),
                    // at most Prometheus' 11,000 points per series: dense series fill it once instead of doubling
                    long reachable = (long) series.size * (range / interval + 1);
                    out = new SeriesBuffer(keepName ? series.labels : LabelSets.dropMetricName(series.labels),
                            (int) Math.min(Math.min(steps - step, reachable), MAX_RESERVED_POINTS));
                }
                out.add(ts, value, histogram);
            }
            if (out != null) {
                context.addSamples(out.size);
                result.add(out);
            }
        }
        Set<Labels> seen = new HashSet<>();
        for (SeriesBuffer series : result) {
            // absent_over_time only needs to know which steps had samples: its inputs may share labels
            if (kind != RangeKind.ABSENT && !seen.add(series.labels)) {
                throw QueryExecutionException.execution("vector cannot contain metrics with the same labelset");
            }
        }
        return result;
    }

    private static boolean hasHistogram(FloatHistogram[] histograms, int low, int high) {
        for (int i = low; i < high; i++) {
            if (histograms[i] != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * rate / increase / delta over a window holding histograms: null (no result) when it mixes them with floats or
     * starts with a float, as 2.42 drops such windows.
     */
    private static FloatHistogram histogramRate(FloatHistogram[] histograms, long[] t, int low, int high, long mint,
            long maxt, long range, RangeKind kind) {
        if (histograms[low] == null) {
            return null;
        }
        FloatHistogram result = RangeFunctions.histogramRate(histograms, low, high, kind != RangeKind.DELTA);
        if (result == null) {
            return null;
        }
        return result.scale(RangeFunctions.extrapolationFactor(t[low], t[high - 1], high - low, mint, maxt, range,
                kind == RangeKind.RATE, Double.POSITIVE_INFINITY));
    }

    /** One series with value 1 at the steps where no input series had a sample. */
    List<SeriesBuffer> absentOverTime(List<SeriesBuffer> present, Expr argument, int steps) {
        boolean[] found = new boolean[steps];
        int foundCount = 0;
        for (SeriesBuffer series : present) {
            for (int p = 0; p < series.size; p++) {
                int step = (int) ((series.timestamps[p] - start) / interval);
                if (!found[step]) {
                    found[step] = true;
                    foundCount++;
                }
            }
        }
        List<SeriesBuffer> result = new ArrayList<>(1);
        if (foundCount == steps) {
            return result;
        }
        SeriesBuffer absent = new SeriesBuffer(InstantFunction.absentLabels(argument), steps - foundCount);
        int step = 0;
        for (long ts = start; ts <= end; ts += interval, step++) {
            if (!found[step]) {
                absent.add(ts, 1);
            }
        }
        result.add(absent);
        return result;
    }
}
