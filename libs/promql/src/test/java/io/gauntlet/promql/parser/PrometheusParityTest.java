package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.parser.QueryCorpus.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares the parser with the verdicts of the real Prometheus 2.42.0 ({@code /api/v1/format_query}, recorded in
 * {@code prometheus-2.42-verdicts.tsv}) on the golden-file queries, hand-written edge cases and seeded mutations of
 * both: the same queries must fail with the same message, and the accepted ones must mean the same tree.
 */
class PrometheusParityTest {
    private static List<Verdict> verdicts;

    @BeforeAll
    static void load() {
        verdicts = QueryCorpus.verdicts();
    }

    @Test
    void corpusCoversAcceptedAndRejectedQueries() {
        assertThat(verdicts).hasSizeGreaterThan(5000);
        assertThat(verdicts.stream().filter(Verdict::accepted).count()).isGreaterThan(1000);
        assertThat(verdicts.stream().filter(v -> !v.accepted()).count()).isGreaterThan(3000);
    }

    @Test
    void rejectsExactlyWhatPrometheusRejectsWithTheSameMessage() {
        List<String> mismatches = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            if (verdict.accepted()) {
                continue;
            }
            String outcome;
            try {
                outcome = "accepted as " + PromqlParser.parseExpr(verdict.query());
            } catch (ParseException e) {
                outcome = e.getMessage();
            }
            if (!outcome.equals(verdict.prometheus())) {
                mismatches.add(verdict.query() + "\n    prometheus: " + verdict.prometheus() + "\n    gauntlet:   " + outcome);
            }
        }
        assertThat(mismatches).as("queries whose outcome differs from Prometheus 2.42").isEmpty();
    }

    @Test
    void acceptedQueriesPrintAsPrometheusPrintsThem() {
        List<String> mismatches = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            if (!verdict.accepted() || verdict.prometheus().contains("\n")) {
                continue; // multi-line forms come from Prometheus' prettifier, which takes over above 100 characters
            }
            String outcome;
            try {
                // Prometheus sorts matchers when printing; the AST keeps them in written order
                outcome = AstNormalizer.canonical(PromqlParser.parseExpr(verdict.query())).toString();
            } catch (ParseException e) {
                outcome = "rejected: " + e.getMessage();
            }
            if (!outcome.equals(verdict.prometheus())) {
                mismatches.add(verdict.query() + "\n    prometheus: " + verdict.prometheus() + "\n    gauntlet:   " + outcome);
            }
        }
        assertThat(mismatches).as("accepted queries that print differently from Prometheus 2.42").isEmpty();
    }

    @Test
    void prometheusPrintedFormParsesToTheSameTree() {
        List<String> mismatches = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            if (!verdict.accepted()) {
                continue;
            }
            Expr original = AstNormalizer.canonical(PromqlParser.parseExpr(verdict.query()));
            Expr reparsed = AstNormalizer.canonical(PromqlParser.parseExpr(verdict.prometheus()));
            if (!original.equals(reparsed)) {
                mismatches.add(verdict.query() + " vs " + verdict.prometheus());
            }
        }
        assertThat(mismatches).isEmpty();
    }
}
