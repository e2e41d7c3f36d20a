package io.gauntlet.promql.ast;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;

/**
 * An instant vector selector. {@code name} is null when only matchers were written; {@code matchers} include the
 * {@code __name__} matcher when a name was written. {@code at} is null without an {@code @} modifier.
 */
public record VectorSelector(String name, List<LabelMatcher> matchers, long offsetMillis, AtModifier at,
        PositionRange position) implements Expr {
    public VectorSelector {
        matchers = List.copyOf(matchers);
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
