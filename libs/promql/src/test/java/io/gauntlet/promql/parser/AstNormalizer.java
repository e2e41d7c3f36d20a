package io.gauntlet.promql.parser;

import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.Comparator;
import java.util.List;

/** Test helper: rebuilds trees without positions (and optionally with sorted matchers) so they compare by content. */
final class AstNormalizer {
    private static final PositionRange NONE = PositionRange.NONE;

    private AstNormalizer() {
    }

    static Expr withoutPositions(Expr expr) {
        return rebuild(expr, false);
    }

    /**
     * The tree as Prometheus 2.42 prints it: no positions, matchers sorted, and two losses of its String() applied
     * (our printer keeps both): {@code __name__=""} beside no metric name and group_x after an empty ignoring().
     */
    static Expr canonical(Expr expr) {
        return rebuild(expr, true);
    }

    private static Expr rebuild(Expr expr, boolean sortMatchers) {
        return switch (expr) {
            case NumberLiteral n -> new NumberLiteral(n.value(), NONE);
            case StringLiteral s -> new StringLiteral(s.value(), NONE);
            case VectorSelector v -> selector(v, sortMatchers);
            case MatrixSelector m -> new MatrixSelector(selector(m.selector(), sortMatchers), m.rangeMillis(), NONE);
            case SubqueryExpr s -> new SubqueryExpr(rebuild(s.expr(), sortMatchers), s.rangeMillis(), s.stepMillis(),
                    s.offsetMillis(), s.at(), NONE);
            case UnaryExpr u -> new UnaryExpr(u.operator(), rebuild(u.expr(), sortMatchers), NONE);
            case BinaryExpr b -> new BinaryExpr(b.operator(), rebuild(b.lhs(), sortMatchers),
                    rebuild(b.rhs(), sortMatchers), sortMatchers ? printedMatching(b.matching()) : b.matching(),
                    b.returnBool(), NONE);
            case AggregateExpr a -> new AggregateExpr(a.operator(), rebuild(a.expr(), sortMatchers),
                    a.param() == null ? null : rebuild(a.param(), sortMatchers), a.grouping(), a.without(), NONE);
            case Call c -> new Call(c.function(), c.arguments().stream().map(e -> rebuild(e, sortMatchers)).toList(),
                    NONE);
            case ParenExpr p -> new ParenExpr(rebuild(p.expr(), sortMatchers), NONE);
            case StepInvariantExpr s -> new StepInvariantExpr(rebuild(s.expr(), sortMatchers), NONE);
        };
    }

    private static VectorMatching printedMatching(VectorMatching matching) {
        if (matching != null && !matching.on() && matching.matchingLabels().isEmpty()
                && (matching.cardinality() == Cardinality.MANY_TO_ONE
                || matching.cardinality() == Cardinality.ONE_TO_MANY)) {
            return new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of());
        }
        return matching;
    }

    private static VectorSelector selector(VectorSelector v, boolean sortMatchers) {
        List<LabelMatcher> matchers = v.matchers();
        if (sortMatchers) {
            matchers = matchers.stream()
                    .filter(m -> v.name() != null || !(m.name().equals("__name__")
                            && m.type() == LabelMatcher.Type.EQUAL && m.value().isEmpty()))
                    .sorted(Comparator.comparing(LabelMatcher::toString)).toList();
        }
        return new VectorSelector(v.name(), matchers, v.offsetMillis(), v.at(), NONE);
    }
}
