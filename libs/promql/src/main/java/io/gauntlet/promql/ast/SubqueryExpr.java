package io.gauntlet.promql.ast;

import java.util.Objects;

/** {@code expr[range:step]}; stepMillis == 0 means "use the engine's default evaluation interval". */
public record SubqueryExpr(Expr expr, long rangeMillis, long stepMillis, long offsetMillis, AtModifier at,
        PositionRange position) implements Expr {
    public SubqueryExpr {
        Objects.requireNonNull(expr, "expr");
    }

    @Override
    public ValueType type() {
        return ValueType.MATRIX;
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
