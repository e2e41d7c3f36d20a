package io.gauntlet.promql.ast;

public record NumberLiteral(double value, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
        return ValueType.SCALAR;
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
