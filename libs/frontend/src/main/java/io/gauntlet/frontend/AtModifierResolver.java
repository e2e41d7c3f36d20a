package io.gauntlet.frontend;

import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces {@code @ start()} and {@code @ end()} by the whole request's start and end times before a range is split:
 * each part is its own query downstream, where {@code start()} would otherwise mean the part's start.
 */
final class AtModifierResolver {
    private AtModifierResolver() {
    }

    static boolean usesStartOrEnd(Expr expr) {
        return switch (expr) {
            case VectorSelector selector -> relative(selector.at());
            case MatrixSelector matrix -> relative(matrix.selector().at());
            case SubqueryExpr subquery -> relative(subquery.at()) || usesStartOrEnd(subquery.expr());
            case AggregateExpr aggregate -> usesStartOrEnd(aggregate.expr()) || aggregate.param() != null && usesStartOrEnd(aggregate.param());
            case BinaryExpr binary -> usesStartOrEnd(binary.lhs()) || usesStartOrEnd(binary.rhs());
            case Call call -> call.arguments().stream().anyMatch(AtModifierResolver::usesStartOrEnd);
            case ParenExpr paren -> usesStartOrEnd(paren.expr());
            case UnaryExpr unary -> usesStartOrEnd(unary.expr());
            case StepInvariantExpr invariant -> usesStartOrEnd(invariant.expr());
            case NumberLiteral ignored -> false;
            case StringLiteral ignored -> false;
        };
    }

    private static boolean relative(AtModifier at) {
        return at != null && at.kind() != AtModifier.Kind.TIMESTAMP;
    }

    static Expr resolve(Expr expr, long start, long end) {
        return switch (expr) {
            case VectorSelector s -> new VectorSelector(s.name(), s.matchers(), s.offsetMillis(), fixed(s.at(), start, end), s.position());
            case MatrixSelector m -> new MatrixSelector((VectorSelector) resolve(m.selector(), start, end), m.rangeMillis(), m.position());
            case SubqueryExpr q -> new SubqueryExpr(resolve(q.expr(), start, end), q.rangeMillis(), q.stepMillis(), q.offsetMillis(),
                    fixed(q.at(), start, end), q.position());
            case AggregateExpr a -> new AggregateExpr(a.operator(), resolve(a.expr(), start, end),
                    a.param() == null ? null : resolve(a.param(), start, end), a.grouping(), a.without(), a.position());
            case BinaryExpr b -> new BinaryExpr(b.operator(), resolve(b.lhs(), start, end), resolve(b.rhs(), start, end), b.matching(),
                    b.returnBool(), b.position(), b.type());
            case Call c -> {
                List<Expr> arguments = new ArrayList<>(c.arguments().size());
                for (Expr argument : c.arguments()) {
                    arguments.add(resolve(argument, start, end));
                }
                yield new Call(c.function(), arguments, c.position());
            }
            case ParenExpr p -> new ParenExpr(resolve(p.expr(), start, end), p.position(), p.type());
            case UnaryExpr u -> new UnaryExpr(u.operator(), resolve(u.expr(), start, end), u.position(), u.type());
            case StepInvariantExpr i -> new StepInvariantExpr(resolve(i.expr(), start, end), i.position(), i.type());
            case NumberLiteral n -> n;
            case StringLiteral s -> s;
        };
    }

    private static AtModifier fixed(AtModifier at, long start, long end) {
        if (at == null || at.kind() == AtModifier.Kind.TIMESTAMP) {
            return at;
        }
        return AtModifier.at(at.kind() == AtModifier.Kind.START ? start : end);
    }
}
