package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.LabelMatcher;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PromQL selectors for match[] and Prometheus durations as the flags API reports them. */
class PrometheusTextFormatsTest {
    @Test
    void selectorsQuoteValuesTheGoWay() {
        assertThat(PromqlSelector.of(List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("path", "a\"b\\c\n"),
                LabelMatcher.notEqual("x", "")))).isEqualTo("{__name__=\"up\",path=\"a\\\"b\\\\c\\n\",x!=\"\"}");
    }

    @Test
    void selectorsThatWouldMatchEverythingGetAMetricNameMatcher() {
        assertThat(PromqlSelector.of(List.of(LabelMatcher.regex("job", ".*")))).isEqualTo("{job=~\".*\",__name__=~\".+\"}");
        assertThat(PromqlSelector.of(List.of())).isEqualTo("{__name__=~\".+\"}");
    }

    @Test
    void durationsParseLikePrometheus() {
        assertThat(PrometheusDuration.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(PrometheusDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(PrometheusDuration.parse("1d2h3m4s5ms")).isEqualTo(Duration.ofMillis(93_784_005));
        assertThat(PrometheusDuration.parse("120m")).isEqualTo(PrometheusDuration.parse("2h"));
        assertThat(PrometheusDuration.parse("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(PrometheusDuration.parse("0")).isEqualTo(Duration.ZERO);
        for (String bad : List.of("", "h", "2", "2x", "1m1h", "-1h", "1.5h")) {
            assertThatThrownBy(() -> PrometheusDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
