package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;

/**
 * Kernels of the range-vector functions over one window {@code [from, to)} of a series' sample arrays, with the
 * arithmetic of Prometheus 2.42's functions.go (same operation order, so results agree to the last bit where possible).
 * One instance per query: it owns a scratch buffer for quantile_over_time.
 */
final class RangeFunctions {
    private double[] scratch = new double[16];

    /**
     * rate / increase / delta: the difference over the window (with counter resets for counters), extrapolated to
     * the window edges unless the gap exceeds 1.1 average intervals (then half an interval), never below zero for
     * counters. Needs at least two samples.
     */
    static double extrapolatedRate(long[] t, double[] v, int from, int to, long rangeStart, long rangeEnd,
            long rangeMillis, boolean isCounter, boolean isRate) {
        int last = to - 1;
        double resultValue = v[last] - v[from];
        if (isCounter) {
            double lastValue = 0;
            for (int i = from; i < to; i++) {
                if (v[i] < lastValue) {
                    resultValue += lastValue;
                }
                lastValue = v[i];
            }
        }
        double durationToZero = Double.POSITIVE_INFINITY;
        if (isCounter && resultValue > 0 && v[from] >= 0) {
            // a counter cannot go below zero: do not extrapolate past the point where it would have been zero
            durationToZero = (double) (t[last] - t[from]) / 1000 * (v[from] / resultValue);
        }
        return resultValue * extrapolationFactor(t[from], t[last], to - from, rangeStart, rangeEnd, rangeMillis, isRate,
                durationToZero);
    }

    /**
     * What rate / increase / delta multiply the difference over the window by: the sampled interval extrapolated to
     * the window edges (unless a gap exceeds 1.1 average intervals, then by half an interval), per second for rate.
     * {@code durationToZero} caps the extrapolation towards the start (a counter's zero point).
     */
    static double extrapolationFactor(long firstTime, long lastTime, int samples, long rangeStart, long rangeEnd,
            long rangeMillis, boolean isRate, double durationToZero) {
        double durationToStart = (double) (firstTime - rangeStart) / 1000;
        double durationToEnd = (double) (rangeEnd - lastTime) / 1000;
        double sampledInterval = (double) (lastTime - firstTime) / 1000;
        double averageDurationBetweenSamples = sampledInterval / (double) (samples - 1);
        if (durationToZero < durationToStart) {
            durationToStart = durationToZero;
        }
        double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        double extrapolateToInterval = sampledInterval;
        extrapolateToInterval += durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
        extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
        // 2.42 folds the per-second division into the factor before the one multiplication: same rounding as Go
        double factor = extrapolateToInterval / sampledInterval;
        if (isRate) {
            factor /= durationSeconds(rangeMillis);
        }
        return factor;
    }

    /**
     * The difference of native histograms over a window (rate / increase / delta before extrapolation), as 2.42's
     * histogramRate: the last histogram minus the first at the lowest schema seen, with the histogram before every
     * counter reset added back for counters. Null when the window mixes floats and histograms.
     */
    static FloatHistogram histogramRate(FloatHistogram[] h, int from, int to, boolean isCounter) {
        FloatHistogram previous = h[from];
        FloatHistogram last = h[to - 1];
        if (last == null) {
            return null;
        }
        int minSchema = Math.min(previous.schema(), last.schema());
        for (int i = from + 1; i < to - 1; i++) {
            if (h[i] == null) {
                return null;
            }
            if (isCounter) {
                minSchema = Math.min(minSchema, h[i].schema());
            }
        }
        FloatHistogram result = last.copyToSchema(minSchema).sub(previous);
        if (isCounter) {
            for (int i = from + 1; i < to; i++) {
                if (h[i].detectReset(previous)) {
                    result.add(previous);
                }
                previous = h[i];
            }
        }
        return result.counterResetHint(CounterResetHint.GAUGE).compact();
    }

    /** Go's {@code time.Duration.Seconds()} of a millisecond duration: whole seconds plus the rest in nanoseconds / 1e9. */
    static double durationSeconds(long millis) {
        long nanos = millis * 1_000_000;
        return (double) (nanos / 1_000_000_000L) + (double) (nanos % 1_000_000_000L) / 1e9;
    }

    /** irate / idelta from the last two samples; NaN result is impossible here, callers check the count. */
    static double instantValue(long[] t, double[] v, int from, int to, boolean isRate) {
        double lastValue = v[to - 1];
        double previousValue = v[to - 2];
        double resultValue = isRate && lastValue < previousValue ? lastValue : lastValue - previousValue;
        long sampledInterval = t[to - 1] - t[to - 2];
        if (isRate) {
            resultValue /= (double) sampledInterval / 1000;
        }
        return resultValue;
    }

    /** Whether irate/idelta produce a value (two samples with different timestamps). */
    static boolean hasInstantValue(long[] t, int from, int to) {
        return to - from >= 2 && t[to - 1] != t[to - 2];
    }

    /** Least-squares slope and intercept at {@code interceptTime}, Kahan-summed; results in {@code out[0..1]}. */
    static void linearRegression(long[] t, double[] v, int from, int to, long interceptTime, double[] out) {
        double n = 0;
        double sumX = 0, cX = 0;
        double sumY = 0, cY = 0;
        double sumXY = 0, cXY = 0;
        double sumX2 = 0, cX2 = 0;
        double initY = v[from];
        boolean constY = true;
        for (int i = from; i < to; i++) {
            double y = v[i];
            if (constY && i > from && y != initY) {
                constY = false;
            }
            n += 1.0;
            double x = (double) (t[i] - interceptTime) / 1e3;
            double next = sumX + x;
            cX += KahanSum.compensation(sumX, x, next);
            sumX = next;
            next = sumY + y;
            cY += KahanSum.compensation(sumY, y, next);
            sumY = next;
            double xy = x * y;
            next = sumXY + xy;
            cXY += KahanSum.compensation(sumXY, xy, next);
            sumXY = next;
            double x2 = x * x;
            next = sumX2 + x2;
            cX2 += KahanSum.compensation(sumX2, x2, next);
            sumX2 = next;
        }
        if (constY) {
            if (Double.isInfinite(initY)) {
                out[0] = Double.NaN;
                out[1] = Double.NaN;
            } else {
                out[0] = 0;
                out[1] = initY;
            }
            return;
        }
        sumX = sumX + cX;
        sumY = sumY + cY;
        sumXY = sumXY + cXY;
        sumX2 = sumX2 + cX2;
        double covXY = sumXY - sumX * sumY / n;
        double varX = sumX2 - sumX * sumX / n;
        double slope = covXY / varX;
        out[0] = slope;
        out[1] = sumY / n - slope * sumX / n;
    }

    /** Double exponential smoothing; needs two samples. */
    static double holtWinters(double[] v, int from, int to, double smoothingFactor, double trendFactor) {
        double s0 = 0;
        double s1 = v[from];
        double b = v[from + 1] - v[from];
        for (int i = from + 1; i < to; i++) {
            double x = smoothingFactor * v[i];
            // the trend of the first step is the initial slope itself
            if (i - 1 - from != 0) {
                b = trendFactor * (s1 - s0) + (1 - trendFactor) * b;
            }
            double y = (1 - smoothingFactor) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        return s1;
    }

    static double changes(double[] v, int from, int to) {
        int changes = 0;
        double previous = v[from];
        for (int i = from + 1; i < to; i++) {
            double current = v[i];
            if (current != previous && !(Double.isNaN(current) && Double.isNaN(previous))) {
                changes++;
            }
            previous = current;
        }
        return changes;
    }

    static double resets(double[] v, int from, int to) {
        int resets = 0;
        double previous = v[from];
        for (int i = from + 1; i < to; i++) {
            if (v[i] < previous) {
                resets++;
            }
            previous = v[i];
        }
        return resets;
    }

    static double avgOverTime(double[] v, int from, int to) {
        return avgOverTimeFrom(v, from, to, 0, 0, 0);
    }

    /**
     * avg_over_time of two windows at once ({@code out[0]}, {@code out[1]}): each gets exactly the operations of
     * {@link #avgOverTime}, interleaved so that the two chains of dependent divisions overlap in the CPU.
     */
    static void avgOverTimeOfTwo(double[] v, int from0, int to0, int from1, int to1, double[] out) {
        double mean0 = 0;
        double count0 = 0;
        double c0 = 0;
        double mean1 = 0;
        double count1 = 0;
        double c1 = 0;
        int common = Math.min(to0 - from0, to1 - from1);
        int i = 0;
        // while both means are finite (an infinite one takes the general loop's special cases)
        for (; i < common && !Double.isInfinite(mean0) && !Double.isInfinite(mean1); i++) {
            double value0 = v[from0 + i];
            double value1 = v[from1 + i];
            count0++;
            count1++;
            double inc0 = value0 / count0 - mean0 / count0;
            double inc1 = value1 / count1 - mean1 / count1;
            double next0 = mean0 + inc0;
            double next1 = mean1 + inc1;
            c0 += KahanSum.compensation(mean0, inc0, next0);
            c1 += KahanSum.compensation(mean1, inc1, next1);
            mean0 = next0;
            mean1 = next1;
        }
        out[0] = avgOverTimeFrom(v, from0 + i, to0, mean0, count0, c0);
        out[1] = avgOverTimeFrom(v, from1 + i, to1, mean1, count1, c1);
    }

    /** Prometheus' incremental mean with Kahan compensation over v[from, to), from a running state. */
    private static double avgOverTimeFrom(double[] v, int from, int to, double runningMean, double runningCount,
            double compensation) {
        double mean = runningMean;
        double count = runningCount;
        double c = compensation;
        for (int i = from; i < to; i++) {
            double value = v[i];
            count++;
            if (Double.isInfinite(mean)) {
                // an infinite mean stays as it is unless a NaN or an infinity of the other sign arrives
                if (Double.isInfinite(value) && (mean > 0) == (value > 0)) {
                    continue;
                }
                if (!Double.isInfinite(value) && !Double.isNaN(value)) {
                    continue;
                }
            }
            double inc = value / count - mean / count;
            double next = mean + inc;
            c += KahanSum.compensation(mean, inc, next);
            mean = next;
        }
        return Double.isInfinite(mean) ? mean : mean + c;
    }

    static double maxOverTime(double[] v, int from, int to) {
        double max = v[from];
        for (int i = from; i < to; i++) {
            if (v[i] > max || Double.isNaN(max)) {
                max = v[i];
            }
        }
        return max;
    }

    static double minOverTime(double[] v, int from, int to) {
        double min = v[from];
        for (int i = from; i < to; i++) {
            if (v[i] < min || Double.isNaN(min)) {
                min = v[i];
            }
        }
        return min;
    }

    /** Population variance with Kahan-compensated Welford updates, as stdvar_over_time. */
    static double stdvarOverTime(double[] v, int from, int to) {
        double count = 0;
        double mean = 0, cMean = 0;
        double aux = 0, cAux = 0;
        for (int i = from; i < to; i++) {
            double value = v[i];
            count++;
            double delta = value - (mean + cMean);
            double inc = delta / count;
            double next = mean + inc;
            cMean += KahanSum.compensation(mean, inc, next);
            mean = next;
            double auxInc = delta * (value - (mean + cMean));
            double nextAux = aux + auxInc;
            cAux += KahanSum.compensation(aux, auxInc, nextAux);
            aux = nextAux;
        }
        return (aux + cAux) / count;
    }

    double quantileOverTime(double q, double[] v, int from, int to) {
        int n = to - from;
        if (scratch.length < n) {
            scratch = new double[Math.max(n, scratch.length * 2)];
        }
        System.arraycopy(v, from, scratch, 0, n);
        return Quantiles.quantile(q, scratch, n);
    }

    static double[] copyOf(double[] values, int size) {
        return Arrays.copyOf(values, size);
    }
}
