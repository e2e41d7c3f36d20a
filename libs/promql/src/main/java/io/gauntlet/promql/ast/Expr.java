package io.gauntlet.promql.ast;

/** A PromQL expression node. {@link #toString()} prints PromQL that parses back to an equal tree. */
public sealed interface Expr permits NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, SubqueryExpr,
        UnaryExpr, BinaryExpr, AggregateExpr, Call, ParenExpr, StepInvariantExpr {
    ValueType type();

    PositionRange position();

    @Override
    String toString();
}
