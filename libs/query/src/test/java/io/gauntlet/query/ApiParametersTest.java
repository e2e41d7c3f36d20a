package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.ast.GoStrings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parameter grammar of Prometheus 2.42's API, with values Go 1.19 gives (checked with its strconv and time). */
class ApiParametersTest {
    private static long millis(String time) {
        return ApiParameters.parseTime(time).engineMillis();
    }

    @Test
    void timesAsPrometheusParsesThem() {
        assertThat(millis("4")).isEqualTo(4000);
        assertThat(millis("1.2345")).isEqualTo(1234);
        assertThat(millis("1.9999")).isEqualTo(2000); // the fraction rounds to milliseconds first
        assertThat(millis("-1.5")).isEqualTo(-1500);
        assertThat(millis("1e3")).isEqualTo(1_000_000);
        assertThat(millis("1_000")).isEqualTo(1_000_000); // Go's ParseFloat takes underscores between digits
        assertThat(millis("0x1p4")).isEqualTo(16_000);
        assertThat(millis("1e-7")).isEqualTo(0);
        assertThat(millis("2023-11-14T22:13:20.5Z")).isEqualTo(1_700_000_000_500L);
        assertThat(millis("2023-11-14T23:13:20+01:00")).isEqualTo(1_700_000_000_000L);
        assertThat(millis("2023-11-14T22:13:20,25Z")).isEqualTo(1_700_000_000_250L); // Go 1.19 takes a comma
        assertThat(millis("2023-11-14T2:13:20Z")).isEqualTo(1_699_928_000_000L); // and a one-digit hour
        // Inf and NaN parse; Go's int64 conversion makes them the minimum int64, which UnixNano then wraps
        assertThat(millis("Inf")).isEqualTo(-9_223_372_036_854L);
        assertThat(millis("9223372036854775807")).isEqualTo(0);
        assertThat(ApiParameters.parseTime("-292273086-05-16T16:47:06Z")).isEqualTo(ApiTime.MIN);
        assertThat(ApiTime.MIN.storageMillis()).isEqualTo(-9_223_309_901_257_974_000L);
        for (String bad : new String[] {"abc", "0x10", " 1", "1d", "", "+nan", "1e400", "1__0", "_1",
                "2023-11-14 22:13:20Z", "2023-11-14T22:13:20", "2023-11-14t22:13:20z", "2023-02-30T00:00:00Z",
                "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.1234567890Z", "2023-11-14T22:13:20+0100"}) {
            assertThatThrownBy(() -> ApiParameters.parseTime(bad)).isInstanceOf(ApiException.class)
                    .hasMessage("cannot parse " + GoStrings.quote(bad) + " to a valid timestamp");
        }
        assertThatThrownBy(() -> ApiParameters.parseTimeParameter("time", "abc", ApiTime.MIN))
                .hasMessage("invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp");
    }

    @Test
    void durationsAsPrometheusParsesThem() {
        assertThat(ApiParameters.parseDurationNanos("15")).isEqualTo(15_000_000_000L);
        assertThat(ApiParameters.parseDurationNanos("0.5")).isEqualTo(500_000_000L);
        assertThat(ApiParameters.parseDurationNanos("1h30m")).isEqualTo(5_400_000_000_000L);
        assertThat(ApiParameters.parseDurationNanos("1m")).isEqualTo(60_000_000_000L);
        assertThatThrownBy(() -> ApiParameters.parseDurationNanos("abc")).hasMessage("cannot parse \"abc\" to a valid duration");
        assertThatThrownBy(() -> ApiParameters.parseDurationNanos("-1s")).hasMessage("cannot parse \"-1s\" to a valid duration");
        assertThatThrownBy(() -> ApiParameters.parseDurationNanos("1e300"))
                .hasMessage("cannot parse \"1e300\" to a valid duration. It overflows int64");
    }

    @Test
    void subtractionSaturatesAsGoDurations() {
        assertThat(ApiTime.ofMillis(2000).minus(ApiTime.ofMillis(500))).isEqualTo(1_500_000_000L);
        assertThat(ApiTime.MAX.minus(ApiTime.MIN)).isEqualTo(Long.MAX_VALUE);
        assertThat(ApiTime.MIN.minus(ApiTime.MAX)).isEqualTo(Long.MIN_VALUE);
        assertThat(ApiTime.MIN.before(ApiTime.MAX)).isTrue();
    }

    @Test
    void formsParseAsGosUrlParseQuery() {
        UrlEncodedForm form = UrlEncodedForm.parse("query=a+b%21&match%5B%5D=x&match%5B%5D=y&flag&x=1;y=2&bad=%ZZ");
        assertThat(form.first("query")).isEqualTo("a b!");
        assertThat(form.all("match[]")).containsExactly("x", "y");
        assertThat(form.first("flag")).isEmpty();
        assertThat(form.all("x")).isEmpty();
        assertThat(form.all("bad")).isEmpty();
        assertThat(form.error()).isEqualTo("invalid semicolon separator in query");
        assertThat(UrlEncodedForm.parse("a=%Z").error()).isEqualTo("invalid URL escape \"%Z\"");
        String invalid = UrlEncodedForm.parse("q=%22a%FFb%22").first("q");
        assertThat(GoStrings.utf8Bytes(invalid)).containsExactly('"', 'a', 0xFF, 'b', '"');
        assertThat(GoStrings.quote(invalid)).isEqualTo("\"\\\"a\\xffb\\\"\"");
        assertThat(UrlEncodedForm.parse("q=%E2%82%AC").first("q")).isEqualTo("€");
        assertThat(UrlEncodedForm.parse("q=%E2%82%AC".getBytes(StandardCharsets.US_ASCII)).first("q")).isEqualTo("€");
        assertThat(UrlEncodedForm.pathSegment("a%FFb+c")).isEqualTo(GoStrings.fromUtf8(new byte[] {'a', (byte) 0xFF, 'b', '+', 'c'}, 0, 5));
    }
}
