package io.gauntlet.promql.ast;

import java.util.Objects;

/** Unary {@code -expr} or {@code +expr}; operator is ADD or SUB. */
public record UnaryExpr(BinaryOperator operator, Expr expr, PositionRange position) implements Expr {
    public UnaryExpr {
        Objects.requireNonNull(expr, "expr");
        if (operator != BinaryOperator.ADD && operator != BinaryOperator.SUB) {
            throw new IllegalArgumentException("unary operator must be + or -, got " + operator);
        }
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
