package io.gauntlet.promql.ast;

import java.util.Objects;

public record StringLiteral(String value, PositionRange position) implements Expr {
    public StringLiteral {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public ValueType type() {
        return ValueType.STRING;
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
