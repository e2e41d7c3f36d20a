package io.gauntlet.promql.ast;

import java.util.Objects;

/** Wraps a subtree whose value does not change across steps (e.g. it uses {@code @}); evaluate it once. */
public record StepInvariantExpr(Expr expr, PositionRange position) implements Expr {
    public StepInvariantExpr {
        Objects.requireNonNull(expr, "expr");
    }

    @Override
    public ValueType type() {
        return expr.type();
    }

    /** Prints the wrapped expression: the wrapper is an evaluation hint, not syntax. */
    @Override
    public String toString() {
        return expr.toString();
    }
}
