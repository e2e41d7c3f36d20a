package io.gauntlet.promql.ast;

import java.util.Objects;

/** Unary {@code -expr} or {@code +expr}; operator is ADD or SUB. */
public record UnaryExpr(BinaryOperator operator, Expr expr, PositionRange position, ValueType type) implements Expr {
    public UnaryExpr {
        Objects.requireNonNull(expr, "expr");
        if (operator != BinaryOperator.ADD && operator != BinaryOperator.SUB) {
            throw new IllegalArgumentException("unary operator must be + or -, got " + operator);
        }
        Objects.requireNonNull(type, "type");
    }

    /** The operand's type, taken once at construction so that nested signs answer it without recursion. */
    public UnaryExpr(BinaryOperator operator, Expr expr, PositionRange position) {
        this(operator, expr, position, expr.type());
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
