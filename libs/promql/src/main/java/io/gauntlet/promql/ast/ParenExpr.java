package io.gauntlet.promql.ast;

import java.util.Objects;

public record ParenExpr(Expr expr, PositionRange position) implements Expr {
    public ParenExpr {
        Objects.requireNonNull(expr, "expr");
    }

    @Override
    public ValueType type() {
        return expr.type();
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
