package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.histogram.AllBucketsIterator;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.Arrays;

/** The quantile estimators of Prometheus 2.42 (quantile.go): over raw values, and over classic histogram buckets. */
final class Quantiles {
    private Quantiles() {
    }

    /**
     * φ-quantile of values[0, n) (reordered in place), interpolating between the two closest ranks. NaNs sort first,
     * as Prometheus' heap order does; q < 0 gives -Inf, q > 1 gives +Inf, no values or q NaN give NaN.
     */
    static double quantile(double q, double[] values, int n) {
        if (n == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        sortNaNFirst(values, n);
        double count = n;
        double rank = q * (count - 1);
        double lowerIndex = Math.max(0, Math.floor(rank));
        double upperIndex = Math.min(count - 1, lowerIndex + 1);
        double weight = rank - Math.floor(rank);
        return values[(int) lowerIndex] * (1 - weight) + values[(int) upperIndex] * weight;
    }

    /** Ascending with NaNs first (Java's own order puts them last). */
    static void sortNaNFirst(double[] values, int n) {
        int nans = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(values[i])) {
                nans++;
            }
        }
        Arrays.sort(values, 0, n);
        if (nans > 0) {
            System.arraycopy(values, 0, values, nans, n - nans);
            Arrays.fill(values, 0, nans, Double.NaN);
        }
    }

    /**
     * histogram_quantile over classic buckets: upper bounds and cumulative counts in [0, n), reordered in place.
     * Requires a +Inf bucket; merges buckets with equal bounds, forces counts monotonic, interpolates linearly
     * inside the bucket holding the rank (the lowest bucket starts at 0 unless its bound is ≤ 0).
     */
    static double bucketQuantile(double q, double[] upperBounds, double[] counts, int n) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        sortByBound(upperBounds, counts, n);
        if (n == 0 || upperBounds[n - 1] != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        // coalesce buckets with the same upper bound
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (size > 0 && upperBounds[size - 1] == upperBounds[i]) {
                counts[size - 1] += counts[i];
            } else {
                upperBounds[size] = upperBounds[i];
                counts[size] = counts[i];
                size++;
            }
        }
        // counts must not decrease (scrapes of different buckets are not atomic)
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            if (counts[i] > max) {
                max = counts[i];
            } else if (counts[i] < max) {
                counts[i] = max;
            }
        }
        if (size < 2) {
            return Double.NaN;
        }
        double observations = counts[size - 1];
        if (observations == 0) {
            return Double.NaN;
        }
        double rank = q * observations;
        // first bucket (among all but the +Inf one) whose count reaches the rank
        int b = 0;
        int low = 0;
        int high = size - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (counts[mid] >= rank) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        b = low;
        if (b == size - 1) {
            return upperBounds[size - 2];
        }
        if (b == 0 && upperBounds[0] <= 0) {
            return upperBounds[0];
        }
        double bucketStart = 0;
        double bucketEnd = upperBounds[b];
        double count = counts[b];
        if (b > 0) {
            bucketStart = upperBounds[b - 1];
            count -= counts[b - 1];
            rank -= counts[b - 1];
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /**
     * histogram_quantile over a native histogram: walks every bucket from the lowest up to the one where the cumulative
     * count reaches q·count and interpolates linearly inside it. The zero bucket starts (ends) at 0 when the histogram
     * has only positive (negative) buckets. Counts above the total are clamped (NaN observations count without a
     * bucket), and a rank never reached gives the highest upper bound. q < 0 gives -Inf, q > 1 +Inf, no observations
     * or q NaN give NaN.
     */
    static double histogramQuantile(double q, FloatHistogram h) {
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (h.count() == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        AllBucketsIterator buckets = new AllBucketsIterator(h);
        double rank = q * h.count();
        double count = 0;
        double lower = 0;
        double upper = 0;
        double bucketCount = 0;
        while (buckets.next()) {
            lower = buckets.lower();
            upper = buckets.upper();
            bucketCount = buckets.count();
            count += bucketCount;
            if (count >= rank) {
                break;
            }
        }
        if (lower < 0 && upper > 0) {
            if (h.negativeBuckets().length == 0 && h.positiveBuckets().length > 0) {
                lower = 0;
            } else if (h.positiveBuckets().length == 0 && h.negativeBuckets().length > 0) {
                upper = 0;
            }
        }
        if (count > h.count()) {
            count = h.count();
        }
        if (count < rank) {
            return upper;
        }
        rank -= count - bucketCount;
        return lower + (upper - lower) * (rank / bucketCount);
    }

    /**
     * histogram_fraction: the share of a native histogram's observations between lower and upper, interpolating
     * linearly inside the buckets the bounds cut (same zero bucket rule as {@link #histogramQuantile}).
     */
    static double histogramFraction(double lower, double upper, FloatHistogram h) {
        if (h.count() == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
            return Double.NaN;
        }
        if (lower >= upper) {
            return 0;
        }
        double rank = 0;
        double lowerRank = 0;
        double upperRank = 0;
        boolean lowerSet = false;
        boolean upperSet = false;
        AllBucketsIterator buckets = new AllBucketsIterator(h);
        while (buckets.next()) {
            double bucketLower = buckets.lower();
            double bucketUpper = buckets.upper();
            double bucketCount = buckets.count();
            if (bucketLower < 0 && bucketUpper > 0) {
                if (h.negativeBuckets().length == 0 && h.positiveBuckets().length > 0) {
                    bucketLower = 0;
                } else if (h.positiveBuckets().length == 0 && h.negativeBuckets().length > 0) {
                    bucketUpper = 0;
                }
            }
            if (!lowerSet && bucketLower >= lower) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && bucketLower >= upper) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            if (!lowerSet && bucketLower < lower && bucketUpper > lower) {
                lowerRank = rank + bucketCount * (lower - bucketLower) / (bucketUpper - bucketLower);
                lowerSet = true;
            }
            if (!upperSet && bucketLower < upper && bucketUpper > upper) {
                upperRank = rank + bucketCount * (upper - bucketLower) / (bucketUpper - bucketLower);
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            rank += bucketCount;
        }
        if (!lowerSet || lowerRank > h.count()) {
            lowerRank = h.count();
        }
        if (!upperSet || upperRank > h.count()) {
            upperRank = h.count();
        }
        return (upperRank - lowerRank) / h.count();
    }

    private static void sortByBound(double[] bounds, double[] counts, int n) {
        // insertion sort: bucket counts are small and usually already ordered
        for (int i = 1; i < n; i++) {
            double bound = bounds[i];
            double count = counts[i];
            int j = i - 1;
            while (j >= 0 && bounds[j] > bound) {
                bounds[j + 1] = bounds[j];
                counts[j + 1] = counts[j];
                j--;
            }
            bounds[j + 1] = bound;
            counts[j + 1] = count;
        }
    }
}
