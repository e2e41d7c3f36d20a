package io.gauntlet.promql.ast;

import java.util.List;
import java.util.Objects;

/** param is null unless the operator takes one; without == true for {@code without (...)}, false for by or none. */
public record AggregateExpr(AggregateOperator operator, Expr expr, Expr param, List<String> grouping, boolean without,
        PositionRange position) implements Expr {
    public AggregateExpr {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(expr, "expr");
        grouping = List.copyOf(grouping);
    }

    @Override
    public ValueType type() {
        return ValueType.VECTOR;
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
