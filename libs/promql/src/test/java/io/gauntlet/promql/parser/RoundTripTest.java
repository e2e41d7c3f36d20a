package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.ExprPrinter;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code Expr.toString()} prints PromQL that parses back to the same tree. */
class RoundTripTest {
    private static final PositionRange P = PositionRange.NONE;

    @Test
    void everyGoldenQueryParsesAndRoundTrips() {
        Path directory = QueryCorpus.goldenDirectory();
        assumeTrue(directory != null, "golden files not found under gauntlet.shared.dir; skipping");
        List<String> queries = QueryCorpus.goldenQueries(directory);
        assertThat(queries).hasSizeGreaterThan(500);
        List<String> failures = new ArrayList<>();
        for (String query : queries) {
            String problem = roundTripProblem(query);
            if (problem != null) {
                failures.add(problem);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyAcceptedCorpusQueryRoundTrips() {
        List<String> failures = new ArrayList<>();
        for (QueryCorpus.Verdict verdict : QueryCorpus.verdicts()) {
            if (verdict.accepted()) {
                String problem = roundTripProblem(verdict.query());
                if (problem != null) {
                    failures.add(problem);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void printsPrometheusForm() {
        assertThat(print("sum by(a,b)(rate(foo{x=\"1\",y=~\"2\"}[5m] offset -1m @ start()))"))
                .isEqualTo("sum by (a, b) (rate(foo{x=\"1\",y=~\"2\"}[5m] @ start() offset -1m))");
        assertThat(print("topk(3, foo) without (a)")).isEqualTo("topk without (a) (3, foo)");
        assertThat(print("a * on(b) group_left(c) d")).isEqualTo("a * on (b) group_left (c) d");
        assertThat(print("a > bool ignoring(b) c")).isEqualTo("a > bool ignoring (b) c");
        assertThat(print("foo[1h30m:90s] @ 1.5 offset 1d")).isEqualTo("foo[1h30m:1m30s] @ 1.500 offset 1d");
        assertThat(print("{__name__=\"foo\"}")).isEqualTo("{__name__=\"foo\"}");
        assertThat(print("foo[90d]")).isEqualTo("foo[90d]");
        assertThat(print("foo[364d]")).isEqualTo("foo[52w]");
        assertThat(print("foo[365d]")).isEqualTo("foo[1y]");
        assertThat(print("\"a\\u00e9\\x00\\n\"")).isEqualTo("\"aé\\x00\\n\"");
    }

    @Test
    void printsNumbersAsGoDoes() {
        assertThat(ExprPrinter.formatNumber(31)).isEqualTo("31");
        assertThat(ExprPrinter.formatNumber(0.5)).isEqualTo("0.5");
        assertThat(ExprPrinter.formatNumber(123456)).isEqualTo("123456");
        assertThat(ExprPrinter.formatNumber(1234567)).isEqualTo("1.234567e+06");
        assertThat(ExprPrinter.formatNumber(0.0001)).isEqualTo("0.0001");
        assertThat(ExprPrinter.formatNumber(-0.00002)).isEqualTo("-2e-05");
        assertThat(ExprPrinter.formatNumber(1e100)).isEqualTo("1e+100");
        assertThat(ExprPrinter.formatNumber(-0.0)).isEqualTo("-0");
        assertThat(ExprPrinter.formatNumber(Double.NaN)).isEqualTo("NaN");
        assertThat(ExprPrinter.formatNumber(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    }

    @Test
    void handBuiltTreesPrintToReparsableText() {
        // group_left after an empty ignoring(): Prometheus drops it when printing, we keep it
        Expr grouped = new BinaryExpr(BinaryOperator.MUL, selector("a"), selector("b"),
                new VectorMatching(Cardinality.MANY_TO_ONE, List.of(), false, List.of("c")), false, P);
        assertThat(grouped.toString()).isEqualTo("a * ignoring () group_left (c) b");
        assertThat(AstNormalizer.withoutPositions(PromqlParser.parseExpr(grouped.toString()))).isEqualTo(grouped);

        Expr weird = new AggregateExpr(AggregateOperator.COUNT_VALUES,
                new VectorSelector(null, List.of(LabelMatcher.regex("__name__", "a\u2028b\"")), -1500,
                        AtModifier.at(-2500), P),
                new StringLiteral("\u0000\uD83D\uDE00", P), List.of("on", "by"), true, P);
        assertThat(AstNormalizer.withoutPositions(PromqlParser.parseExpr(weird.toString()))).isEqualTo(weird);

        Expr negativeZero = new NumberLiteral(-0.0, P);
        assertThat(AstNormalizer.withoutPositions(PromqlParser.parseExpr(negativeZero.toString()))).isEqualTo(negativeZero);
    }

    /** Null when the query parses, prints, reparses to an equal tree and prints the same again. */
    static String roundTripProblem(String query) {
        Expr first;
        try {
            first = PromqlParser.parseExpr(query);
        } catch (ParseException e) {
            return query + " → does not parse: " + e.getMessage();
        }
        String printed = first.toString();
        Expr second;
        try {
            second = PromqlParser.parseExpr(printed);
        } catch (ParseException e) {
            return query + " → printed " + printed + " → does not parse: " + e.getMessage();
        }
        if (!AstNormalizer.withoutPositions(first).equals(AstNormalizer.withoutPositions(second))) {
            return query + " → printed " + printed + " → parses to a different tree: " + second;
        }
        if (!second.toString().equals(printed)) {
            return query + " → printed " + printed + " → prints differently the second time: " + second;
        }
        return null;
    }

    private static String print(String query) {
        return PromqlParser.parseExpr(query).toString();
    }

    private static VectorSelector selector(String name) {
        return new VectorSelector(name, List.of(LabelMatcher.equal("__name__", name)), 0, null, P);
    }
}
