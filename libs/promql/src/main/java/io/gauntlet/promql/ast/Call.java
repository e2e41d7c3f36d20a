package io.gauntlet.promql.ast;

import java.util.List;
import java.util.Objects;

public record Call(FunctionSignature function, List<Expr> arguments, PositionRange position) implements Expr {
    public Call {
        Objects.requireNonNull(function, "function");
        arguments = List.copyOf(arguments);
    }

    @Override
    public ValueType type() {
        return function.returnType();
    }

    @Override
    public String toString() {
        return ExprPrinter.print(this);
    }
}
