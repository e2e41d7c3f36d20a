package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Go behaviours Prometheus' output depends on (values checked against Prometheus 2.42). */
class GoCompatibilityTest {
    @Test
    void dateFieldsFollowGoIncludingItsOverflowForNaN() {
        GoTime nan = GoTime.ofUnixSeconds(GoTime.goInt64(Double.NaN));
        assertThat(nan.year).isEqualTo(292277026596L);
        GoTime beforeEpoch = GoTime.ofUnixSeconds(-1);
        assertThat(beforeEpoch.hour).isEqualTo(23);
        assertThat(beforeEpoch.year).isEqualTo(1969);
        GoTime leapDay = GoTime.ofUnixSeconds(1_709_164_800L); // 2024-02-29T00:00:00Z
        assertThat(leapDay.month).isEqualTo(2);
        assertThat(leapDay.day).isEqualTo(29);
        assertThat(leapDay.daysInMonth()).isEqualTo(29);
        assertThat(leapDay.yearDay).isEqualTo(60);
        assertThat(leapDay.weekday).isEqualTo(4);
        assertThat(GoTime.ofUnixSeconds(GoTime.goInt64(1e20)).weekday).isZero();
    }

    /** Bits Go 1.19's math package returns on linux/amd64 (java.lang.Math differs in the last bit for most). */
    @Test
    void mathFunctionsReturnGosBits() {
        assertThat(bits(GoMath.sin(1e10))).isEqualTo(0xbfdf334c7896a4e4L);
        assertThat(bits(GoMath.cos(0.7853981633974483))).isEqualTo(0x3fe6a09e667f3bcdL);
        assertThat(bits(GoMath.tan(1.5))).isEqualTo(0x402c33ed50b88777L);
        assertThat(bits(GoMath.exp(0.1))).isEqualTo(0x3ff1aec7b35a00d4L);
        assertThat(bits(GoMath.exp(-745.1))).isEqualTo(0x0000000000000001L);
        assertThat(bits(GoMath.log(0.7))).isEqualTo(0xbfd6d3c324e13f50L);
        assertThat(bits(GoMath.log10(3))).isEqualTo(0x3fde8927964fd5fcL);
        assertThat(bits(GoMath.asinh(0.5))).isEqualTo(0x3fdecc2caec5160aL);
        assertThat(bits(GoMath.atan2(1, -2))).isEqualTo(0x40056c6e7397f5aeL);
        assertThat(bits(GoMath.pow(2.5, 0.37))).isEqualTo(0x3ff6751271a01214L);
    }

    @Test
    void sortOrdersTiesAsGoSortDoes() {
        // 13 elements: past Go's insertion-sort cut-off, so the quicksort's partitioning decides the ties' order
        double[] values = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0};
        int[] order = new int[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        GoSort.sort(new GoSort.Sortable() {
            @Override
            public boolean less(int i, int j) {
                return values[i] < values[j];
            }

            @Override
            public void swap(int i, int j) {
                double v = values[i];
                values[i] = values[j];
                values[j] = v;
                int o = order[i];
                order[i] = order[j];
                order[j] = o;
            }
        }, values.length);
        assertThat(order).containsExactly(6, 1, 12, 10, 4, 7, 3, 5, 8, 9, 0, 11, 2); // Go 1.19's sort.Sort
    }

    private static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    @Test
    void floatsFormatAsGoPrintsThem() {
        assertThat(GoFormat.formatFloat(1e20)).isEqualTo("1e+20");
        assertThat(GoFormat.formatFloat(123456789.0)).isEqualTo("1.23456789e+08");
        assertThat(GoFormat.formatFloat(100000)).isEqualTo("100000");
        assertThat(GoFormat.formatFloat(0.0001)).isEqualTo("0.0001");
        assertThat(GoFormat.formatFloat(0.00001)).isEqualTo("1e-05");
        assertThat(GoFormat.formatFloat(Double.NaN)).isEqualTo("NaN");
        assertThat(GoFormat.formatFloatPlain(1e21)).isEqualTo("1000000000000000000000");
        assertThat(GoFormat.formatFloatPlain(-0.0)).isEqualTo("-0");
        assertThat(GoFormat.formatFloatPlain(99 / 7.0)).isEqualTo("14.142857142857142");
        assertThat(GoMath.pow(1, Double.NaN)).isEqualTo(1);
        // repeated squaring rounds differently from the correctly rounded Math.pow; Prometheus gives this remainder
        assertThat(GoMath.pow(1700003600.0, 4) % 1700003600.0).isEqualTo(108554832);
        assertThat(GoMath.pow(2, -1074)).isEqualTo(Double.MIN_VALUE);
        assertThat(GoMath.pow(-8, 1.0 / 3)).isNaN();
        assertThat(GoMath.pow(-0.0, -3)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(GoMath.pow(9, 0.5)).isEqualTo(3);
        assertThat(GoMath.pow(-1, Double.POSITIVE_INFINITY)).isEqualTo(1);
        assertThat(GoMath.log2(8)).isEqualTo(3);
        assertThat(GoMath.log2(0x1p-1060)).isEqualTo(-1060);
    }
}
