package io.gauntlet.promql.ast;

import java.util.Objects;

/** A range vector selector {@code selector[range]}; offset and {@code @} live on the inner selector. */
public record MatrixSelector(VectorSelector selector, long rangeMillis, PositionRange position) implements Expr {
    public MatrixSelector {
        Objects.requireNonNull(selector, "selector");
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
