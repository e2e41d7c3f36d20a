package io.gauntlet.promql.ast;

import java.util.Objects;

/** Wraps a subtree whose value does not change across steps (e.g. it uses {@code @}); evaluate it once. */
public record StepInvariantExpr(Expr expr, PositionRange position, ValueType type) implements Expr {
    public StepInvariantExpr {
        Objects.requireNonNull(expr, "expr");
        Objects.requireNonNull(type, "type");
    }

    /** The wrapped type, taken once at construction (no recursion through nested wrappers). */
    public StepInvariantExpr(Expr expr, PositionRange position) {
        this(expr, position, expr.type());
    }

    /** Prints the wrapped expression: the wrapper is an evaluation hint, not syntax. */
    @Override
    public String toString() {
        return expr.toString();
    }
}
