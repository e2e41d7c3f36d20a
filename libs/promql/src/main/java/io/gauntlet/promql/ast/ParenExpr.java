package io.gauntlet.promql.ast;

import java.util.Objects;

public record ParenExpr(Expr expr, PositionRange position, ValueType type) implements Expr {
    public ParenExpr {
        Objects.requireNonNull(expr, "expr");
        Objects.requireNonNull(type, "type");
    }

    /** The inner type, taken once at construction so that thousands of nested parentheses answer it at once. */
    public ParenExpr(Expr expr, PositionRange position) {
        this(expr, position, expr.type());
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
