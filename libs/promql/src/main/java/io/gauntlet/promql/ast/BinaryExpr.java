package io.gauntlet.promql.ast;

import java.util.Objects;

/** {@code lhs op rhs}; matching is null when either side is a scalar; returnBool for {@code bool} comparisons. */
public record BinaryExpr(BinaryOperator operator, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool,
        PositionRange position, ValueType type) implements Expr {
    public BinaryExpr {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(lhs, "lhs");
        Objects.requireNonNull(rhs, "rhs");
        Objects.requireNonNull(type, "type");
    }

    /** The type is derived once, at construction: chains of thousands of operators answer it without recursion. */
    public BinaryExpr(BinaryOperator operator, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool,
            PositionRange position) {
        this(operator, lhs, rhs, matching, returnBool, position,
                lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR);
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
