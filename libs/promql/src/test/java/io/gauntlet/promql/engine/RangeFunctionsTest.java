package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RangeFunctionsTest {
    @Test
    void rateExtrapolatesToTheWindowEdgesWhenSamplesAreClose() {
        // samples every 10s from 10s to 290s, counter +1 per sample, window (0s, 300s]
        int n = 29;
        long[] t = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i + 1) * 10_000L;
            v[i] = i + 1;
        }
        double increase = RangeFunctions.extrapolatedRate(t, v, 0, n, 0, 300_000, 300_000, true, false);
        // 28 over 280s, extrapolated by 10s at the end; at the start the zero point (10s back) limits it
        assertThat(increase).isCloseTo(30.0, within(1e-9));
        double rate = RangeFunctions.extrapolatedRate(t, v, 0, n, 0, 300_000, 300_000, true, true);
        assertThat(rate).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void rateExtrapolatesOnlyHalfAnIntervalAcrossALargeGap() {
        long[] t = {100_000, 110_000, 120_000};
        double[] v = {50, 51, 52};
        // the window starts 100s before the first sample: far more than 1.1 intervals
        double delta = RangeFunctions.extrapolatedRate(t, v, 0, 3, 0, 120_000, 120_000, false, false);
        assertThat(delta).isCloseTo(2 * (20 + 5) / 20.0, within(1e-12));
    }

    @Test
    void counterResetsAddThePreviousValue() {
        long[] t = {0, 10_000, 20_000, 30_000};
        double[] v = {10, 20, 5, 15};
        double increase = RangeFunctions.extrapolatedRate(t, v, 0, 4, 0, 30_000, 30_000, true, false);
        assertThat(increase).isCloseTo(25, within(1e-12));
        assertThat(RangeFunctions.resets(v, 0, 4)).isEqualTo(1);
        assertThat(RangeFunctions.changes(v, 0, 4)).isEqualTo(3);
    }

    @Test
    void irateUsesTheLastTwoSamplesAndTreatsADropAsAReset() {
        long[] t = {0, 10_000, 20_000};
        double[] v = {0, 100, 40};
        assertThat(RangeFunctions.instantValue(t, v, 0, 3, true)).isEqualTo(4.0);
        assertThat(RangeFunctions.instantValue(t, v, 0, 3, false)).isEqualTo(-60.0);
    }

    @Test
    void linearRegressionGivesSlopeAndInterceptAtTheRequestedTime() {
        long[] t = {0, 60_000, 120_000};
        double[] v = {1, 2, 3};
        double[] out = new double[2];
        RangeFunctions.linearRegression(t, v, 0, 3, 120_000, out);
        assertThat(out[0]).isCloseTo(1.0 / 60, within(1e-15));
        assertThat(out[1]).isCloseTo(3, within(1e-12));
        double[] constant = {5, 5, 5};
        RangeFunctions.linearRegression(t, constant, 0, 3, 0, out);
        assertThat(out).containsExactly(0, 5);
    }

    @Test
    void overTimeAggregationsHandleInfinitiesAndNaN() {
        assertThat(RangeFunctions.avgOverTime(new double[] {Double.MAX_VALUE, Double.MAX_VALUE}, 0, 2)).isEqualTo(Double.MAX_VALUE);
        assertThat(RangeFunctions.avgOverTime(new double[] {Double.POSITIVE_INFINITY, 1}, 0, 2)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(RangeFunctions.avgOverTime(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, 0, 2)).isNaN();
        assertThat(RangeFunctions.maxOverTime(new double[] {Double.NaN, 1, 3}, 0, 3)).isEqualTo(3);
        assertThat(RangeFunctions.minOverTime(new double[] {Double.NaN, 1, 3}, 0, 3)).isEqualTo(1);
        assertThat(RangeFunctions.stdvarOverTime(new double[] {2, 4, 4, 4, 5, 5, 7, 9}, 0, 8)).isCloseTo(4, within(1e-12));
        // compensated summation keeps the small terms that plain addition loses
        assertThat(KahanSum.sum(new double[] {1e16, 1, 1, -1e16}, 0, 4)).isEqualTo(2);
    }

    @Test
    void holtWintersSmoothsWithTrend() {
        double[] v = {1, 2, 3, 4};
        assertThat(RangeFunctions.holtWinters(v, 0, 4, 0.5, 0.5)).isCloseTo(4, within(1e-12));
    }
}
