package io.gauntlet.promql.engine;

/**
 * Kahan–Neumaier compensated summation as Prometheus' {@code kahanSumInc}: callers keep {@code sum} and the
 * compensation {@code c} in locals and add {@link #compensation} after each {@code sum + inc}, so nothing is allocated.
 */
final class KahanSum {
    private KahanSum() {
    }

    /** The rounding error of {@code next = sum + inc}, to be added to the running compensation. */
    static double compensation(double sum, double inc, double next) {
        // Neumaier: subtract the larger magnitude first so the lost low bits are recovered.
        return Math.abs(sum) >= Math.abs(inc) ? (sum - next) + inc : (inc - next) + sum;
    }

    /** Compensated sum of values[from, to), as Prometheus' sum_over_time (an infinite sum ignores the compensation). */
    static double sum(double[] values, int from, int to) {
        double sum = 0;
        double c = 0;
        for (int i = from; i < to; i++) {
            double next = sum + values[i];
            c += compensation(sum, values[i], next);
            sum = next;
        }
        return Double.isInfinite(sum) ? sum : sum + c;
    }
}
