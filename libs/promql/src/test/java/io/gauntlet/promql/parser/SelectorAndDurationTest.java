package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.LabelMatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP API helpers: {@code match[]} selectors and durations. */
class SelectorAndDurationTest {

    @Test
    void metricSelectors() {
        assertThat(PromqlParser.parseMetricSelector("up{job=~\"a|b\", instance!=\"x\"}")).containsExactly(
                LabelMatcher.regex("job", "a|b"), LabelMatcher.notEqual("instance", "x"),
                LabelMatcher.equal("__name__", "up"));
        assertThat(PromqlParser.parseMetricSelector("{__name__=\"up\"}")).containsExactly(
                LabelMatcher.equal("__name__", "up"));
        // like Prometheus' ParseMetricSelector: the caller decides whether an empty-matching selector is allowed
        assertThat(PromqlParser.parseMetricSelector("{}")).isEmpty();
        assertThat(PromqlParser.parseMetricSelector("sum")).containsExactly(LabelMatcher.equal("__name__", "sum"));
    }

    @Test
    void metricSelectorsRejectAnythingElse() {
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector("up + 1")).isInstanceOf(ParseException.class)
                .hasMessage("1:4: parse error: unexpected <op:+>");
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector("rate(up[5m])")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector("up[5m]")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector("")).isInstanceOf(ParseException.class)
                .hasMessage("1:1: parse error: unexpected end of input");
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector("up{a=~\"(\"}")).isInstanceOf(ParseException.class)
                .hasMessageContaining("error parsing regexp");
    }

    /** Messages of Prometheus 2.42.0's /api/v1/series for these match[] values (after its parameter prefix). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "rate(up[5m])|1:5: parse error: unexpected \"(\"",
        "up[5m]|1:3: parse error: unexpected \"[\"",
        "up offset 5m|1:4: parse error: unexpected <offset>",
        "1|1:1: parse error: unexpected number \"1\"",
        "up{|1:4: parse error: unexpected end of input inside braces",
        "{__name__=\"a\"} foo|1:16: parse error: unexpected identifier \"foo\"",
        "bool|1:1: parse error: unexpected <bool>",
        "up{a=~\"(\"}|1:4: parse error: error parsing regexp: missing closing ): `^(?:()$`"})
    void metricSelectorErrorsMatchPrometheus(String selector, String message) {
        assertThatThrownBy(() -> PromqlParser.parseMetricSelector(selector)).isInstanceOf(ParseException.class)
                .hasMessage(message);
    }

    @Test
    void metricSelectorKeepsBothNamesLikePrometheus() {
        assertThat(PromqlParser.parseMetricSelector("foo{__name__=\"bar\"}")).containsExactly(
                LabelMatcher.equal("__name__", "bar"), LabelMatcher.equal("__name__", "foo"));
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1ms,1", "1s,1000", "5m,300000", "1h30m,5400000", "1d,86400000", "1w,604800000",
        "1y,31536000000", "1y2w3d4h5m6s7ms,33019506007", "90s,90000", "292y,9208512000000"})
    void durations(String text, long millis) {
        assertThat(PromqlParser.parseDuration(text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"|empty duration string", "5|not a valid duration string: \"5\"",
        "1m1h|not a valid duration string: \"1m1h\"", "1.5h|not a valid duration string: \"1.5h\"",
        "-1m|not a valid duration string: \"-1m\"", "1M|not a valid duration string: \"1M\"",
        "293y|duration out of range", "99999999999999999999999s|duration out of range"})
    void badDurations(String text, String message) {
        assertThatThrownBy(() -> PromqlParser.parseDuration(text == null ? "" : text))
                .isInstanceOf(ParseException.class).hasMessage(message);
    }
}
