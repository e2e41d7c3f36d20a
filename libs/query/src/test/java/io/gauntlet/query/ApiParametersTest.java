package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiParametersTest {
    @Test
    void timesAsPrometheusParsesThem() {
        assertThat(ApiParameters.parseTime("4")).isEqualTo(4000);
        assertThat(ApiParameters.parseTime("1.2345")).isEqualTo(1234);
        assertThat(ApiParameters.parseTime("-1.5")).isEqualTo(-1500);
        assertThat(ApiParameters.parseTime("1e3")).isEqualTo(1_000_000);
        assertThat(ApiParameters.parseTime("1e-7")).isEqualTo(0);
        assertThat(ApiParameters.parseTime("2023-11-14T22:13:20.5Z")).isEqualTo(1_700_000_000_500L);
        assertThat(ApiParameters.parseTime("2023-11-14T23:13:20+01:00")).isEqualTo(1_700_000_000_000L);
        assertThat(ApiParameters.parseTime("-292273086-05-16T16:47:06Z")).isEqualTo(ApiParameters.MIN_TIME_MILLIS);
        for (String bad : new String[] {"abc", "0x10", " 1", "1d", "", "NaN", "2023-11-14 22:13:20Z"}) {
            assertThatThrownBy(() -> ApiParameters.parseTime(bad)).isInstanceOf(ApiException.class)
                    .hasMessage("cannot parse \"" + bad + "\" to a valid timestamp");
        }
        assertThatThrownBy(() -> ApiParameters.parseTimeParameter("time", "abc", 0))
                .hasMessage("invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp");
    }

    @Test
    void durationsAsPrometheusParsesThem() {
        assertThat(ApiParameters.parseDurationNanos("15")).isEqualTo(15_000_000_000L);
        assertThat(ApiParameters.parseDurationNanos("0.5")).isEqualTo(500_000_000L);
        assertThat(ApiParameters.parseDurationNanos("1h30m")).isEqualTo(5_400_000_000_000L);
        assertThat(ApiParameters.parseDurationNanos("1m")).isEqualTo(60_000_000_000L);
        assertThatThrownBy(() -> ApiParameters.parseDurationNanos("abc")).hasMessage("cannot parse \"abc\" to a valid duration");
        assertThatThrownBy(() -> ApiParameters.parseDurationNanos("1e300"))
                .hasMessage("cannot parse \"1e300\" to a valid duration. It overflows int64");
    }
}
