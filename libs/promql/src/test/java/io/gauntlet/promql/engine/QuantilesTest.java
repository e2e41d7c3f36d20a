package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantilesTest {
    @Test
    void quantileInterpolatesBetweenRanksAndPutsNaNFirst() {
        assertThat(Quantiles.quantile(0.8, new double[] {0, 1, 4}, 3)).isCloseTo(2.8, within(1e-12));
        assertThat(Quantiles.quantile(0.5, new double[] {Double.NaN, 1, 2}, 3)).isEqualTo(1);
        assertThat(Quantiles.quantile(-1, new double[] {1}, 1)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Quantiles.quantile(2, new double[] {1}, 1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Quantiles.quantile(Double.NaN, new double[] {1}, 1)).isNaN();
        assertThat(Quantiles.quantile(0.5, new double[0], 0)).isNaN();
    }

    @Test
    void bucketQuantileInterpolatesInsideTheBucket() {
        double[] bounds = {0.1, 0.2, Double.POSITIVE_INFINITY};
        double[] counts = {10, 20, 20};
        assertThat(Quantiles.bucketQuantile(0.75, bounds, counts, 3)).isCloseTo(0.15, within(1e-12));
    }

    @Test
    void bucketQuantileNeedsAnInfBucketAndObservations() {
        assertThat(Quantiles.bucketQuantile(0.5, new double[] {0.1, 0.2}, new double[] {1, 2}, 2)).isNaN();
        assertThat(Quantiles.bucketQuantile(0.5, new double[] {0.1, Double.POSITIVE_INFINITY}, new double[] {0, 0}, 2)).isNaN();
        assertThat(Quantiles.bucketQuantile(0.5, new double[] {Double.POSITIVE_INFINITY}, new double[] {5}, 1)).isNaN();
    }

    @Test
    void bucketQuantileInTheInfBucketReturnsTheHighestFiniteBound() {
        double[] bounds = {1, 2, Double.POSITIVE_INFINITY};
        double[] counts = {1, 2, 10};
        assertThat(Quantiles.bucketQuantile(0.9, bounds, counts, 3)).isEqualTo(2);
    }

    @Test
    void bucketQuantileMakesCountsMonotonicAndSortsBounds() {
        // unordered input with a count that dips (non-atomic scrape)
        double[] bounds = {Double.POSITIVE_INFINITY, 2, 1};
        double[] counts = {10, 4, 5};
        // after sorting: 1→5, 2→4 (forced to 5), +Inf→10; rank 5 falls into the first bucket
        assertThat(Quantiles.bucketQuantile(0.5, bounds, counts, 3)).isCloseTo(1, within(1e-12));
    }

    @Test
    void bucketQuantileWithANegativeFirstBoundReturnsIt() {
        double[] bounds = {-1, 1, Double.POSITIVE_INFINITY};
        double[] counts = {5, 10, 10};
        assertThat(Quantiles.bucketQuantile(0.1, bounds, counts, 3)).isEqualTo(-1);
    }
}
