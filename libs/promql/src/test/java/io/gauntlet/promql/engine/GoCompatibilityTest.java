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
        assertThat(GoFormat.pow(1, Double.NaN)).isEqualTo(1);
        // repeated squaring rounds differently from the correctly rounded Math.pow; Prometheus gives this remainder
        assertThat(GoFormat.pow(1700003600.0, 4) % 1700003600.0).isEqualTo(108554832);
        assertThat(GoFormat.pow(2, -1074)).isEqualTo(Double.MIN_VALUE);
        assertThat(GoFormat.pow(-8, 1.0 / 3)).isNaN();
        assertThat(GoFormat.pow(-0.0, -3)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(GoFormat.pow(9, 0.5)).isEqualTo(3);
        assertThat(GoFormat.pow(-1, Double.POSITIVE_INFINITY)).isEqualTo(1);
        assertThat(InstantFunction.log2(8)).isEqualTo(3);
        assertThat(InstantFunction.log2(0x1p-1060)).isEqualTo(-1060);
    }
}
