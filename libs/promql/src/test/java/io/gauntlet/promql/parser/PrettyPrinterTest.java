package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.ast.ExprPrettyPrinter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /api/v1/format_query}'s text: every query Prometheus 2.42 accepted in the recorded corpus formats as it did. */
class PrettyPrinterTest {
    @Test
    void formatsEveryRecordedQueryAsPrometheus() {
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        int split = 0;
        for (QueryCorpus.Verdict verdict : QueryCorpus.verdicts()) {
            if (!verdict.accepted() || hasKnownDeviation(verdict.prometheus())) {
                continue;
            }
            String ours = ExprPrettyPrinter.pretty(PromqlParser.parseExpr(verdict.query()));
            if (!ours.equals(verdict.prometheus())) {
                mismatches.add(verdict.query() + "\n    prometheus:\n" + verdict.prometheus() + "\n    gauntlet:\n" + ours);
            }
            compared++;
            split += verdict.prometheus().contains("\n") ? 1 : 0;
        }
        assertThat(mismatches).isEmpty();
        assertThat(compared).isGreaterThan(1000);
        assertThat(split).as("queries split over lines").isGreaterThan(20);
    }

    @Test
    void splitsOnlyWhatIsLongerThanALine() {
        assertThat(ExprPrettyPrinter.pretty(PromqlParser.parseExpr("sum by (job) (rate(x[5m]))"))).isEqualTo("sum by (job) (rate(x[5m]))");
        String longSelector = "metric_with_a_rather_long_name_to_pass_the_line_limit{label_one=\"value one\",label_two=\"value two\"}";
        assertThat(ExprPrettyPrinter.pretty(PromqlParser.parseExpr("sum by (job) (rate(" + longSelector + "[5m])) / 2")))
                .isEqualTo("  sum by (job) (\n    rate(\n      " + longSelector + "[5m]\n    )\n  )\n/\n  2");
    }

    /** As the live comparison: Go byte escapes and characters newer than Go's Unicode tables print differently. */
    private static boolean hasKnownDeviation(String text) {
        return text.contains("\\x") || text.chars().anyMatch(c -> c >= 0x0800);
    }
}
