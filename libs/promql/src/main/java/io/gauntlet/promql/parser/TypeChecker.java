package io.gauntlet.promql.parser;

import io.gauntlet.promql.DeepExpressions;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.FunctionSignature;
import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Prometheus' checkAST: type rules checked after a syntactically valid parse, in the same order, so the first error
 * matches. Returns the tree with vector matching settled (null beside scalars, many-to-many for set operators).
 */
final class TypeChecker {
    private final String query;
    private final byte[] input;

    TypeChecker(String query, byte[] input) {
        this.query = query;
        this.input = input;
    }

    Expr check(Expr expr) {
        requireBoundedDepth(expr);
        return visit(expr);
    }

    /** Left-associative chains are built without recursion; bound the tree depth before walking it recursively. */
    private void requireBoundedDepth(Expr root) {
        Deque<Expr> stack = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        stack.push(root);
        depths.push(1);
        while (!stack.isEmpty()) {
            Expr expr = stack.pop();
            int depth = depths.pop();
            if (depth > DeepExpressions.MAX_DEPTH) {
                throw ParseException.at(query, expr.position(),
                        "expression is nested too deeply (more than " + DeepExpressions.MAX_DEPTH + " levels)");
            }
            for (Expr child : children(expr)) {
                stack.push(child);
                depths.push(depth + 1);
            }
        }
    }

    private static List<Expr> children(Expr expr) {
        return switch (expr) {
            case NumberLiteral n -> List.of();
            case StringLiteral s -> List.of();
            case VectorSelector v -> List.of();
            case MatrixSelector m -> List.of(m.selector());
            case SubqueryExpr s -> List.of(s.expr());
            case UnaryExpr u -> List.of(u.expr());
            case BinaryExpr b -> List.of(b.lhs(), b.rhs());
            case AggregateExpr a -> a.param() == null ? List.of(a.expr()) : List.of(a.expr(), a.param());
            case Call c -> c.arguments();
            case ParenExpr p -> List.of(p.expr());
            case StepInvariantExpr s -> List.of(s.expr());
        };
    }

    private Expr visit(Expr expr) {
        return switch (expr) {
            case NumberLiteral n -> n;
            case StringLiteral s -> s;
            case VectorSelector v -> checkSelector(v);
            case MatrixSelector m -> {
                checkSelector(m.selector());
                yield m;
            }
            case SubqueryExpr s -> {
                Expr inner = visit(s.expr());
                if (inner.type() != ValueType.VECTOR) {
                    throw error(s.position(), "subquery is only allowed on instant vector, got "
                            + rawName(inner.type()) + " instead");
                }
                yield new SubqueryExpr(inner, s.rangeMillis(), s.stepMillis(), s.offsetMillis(), s.at(), s.position());
            }
            case UnaryExpr u -> {
                Expr inner = visit(u.expr());
                if (inner.type() != ValueType.SCALAR && inner.type() != ValueType.VECTOR) {
                    throw error(u.position(), "unary expression only allowed on expressions of type scalar or "
                            + "instant vector, got \"" + inner.type().documentedName() + "\"");
                }
                yield new UnaryExpr(u.operator(), inner, u.position());
            }
            case BinaryExpr b -> checkBinary(b);
            case AggregateExpr a -> checkAggregation(a);
            case Call c -> checkCall(c);
            case ParenExpr p -> new ParenExpr(visit(p.expr()), p.position());
            case StepInvariantExpr s -> new StepInvariantExpr(visit(s.expr()), s.position());
        };
    }

    private VectorSelector checkSelector(VectorSelector v) {
        if (v.name() != null) {
            // the name written in front is the last matcher; a __name__ matcher before it sets the name twice
            List<LabelMatcher> matchers = v.matchers();
            for (LabelMatcher matcher : matchers.subList(0, matchers.size() - 1)) {
                if (matcher.name().equals("__name__")) {
                    throw error(v.position(), "metric name must not be set twice: " + GoStrings.quote(v.name())
                            + " or " + GoStrings.quote(matcher.value()));
                }
            }
            return v;
        }
        for (LabelMatcher matcher : v.matchers()) {
            if (!matcher.matchesEmpty()) {
                return v;
            }
        }
        throw error(v.position(), "vector selector must contain at least one non-empty matcher");
    }

    private Expr checkBinary(BinaryExpr b) {
        Expr lhs = visit(b.lhs());
        Expr rhs = visit(b.rhs());
        ValueType lt = lhs.type();
        ValueType rt = rhs.type();
        VectorMatching matching = b.matching();
        if (b.returnBool() && !b.operator().isComparison()) {
            throw error(operatorRange(lhs, rhs), "bool modifier can only be used on comparison operators");
        }
        if (b.operator().isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            throw error(operatorRange(lhs, rhs), "comparisons between scalars must use BOOL modifier");
        }
        if (b.operator().isSetOperator() && matching.cardinality() == Cardinality.ONE_TO_ONE) {
            matching = new VectorMatching(Cardinality.MANY_TO_MANY, matching.matchingLabels(), matching.on(),
                    matching.include());
        }
        if (matching.on()) {
            for (String label : matching.matchingLabels()) {
                if (matching.include().contains(label)) {
                    throw error(operatorRange(lhs, rhs), "label " + GoStrings.quote(label)
                            + " must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
            throw error(lhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
            throw error(rhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        String symbol = b.operator().symbol();
        if (lt != ValueType.VECTOR || rt != ValueType.VECTOR) {
            if (!matching.matchingLabels().isEmpty()) {
                throw error(b.position(), "vector matching only allowed between instant vectors");
            }
            matching = null;
        } else if (b.operator().isSetOperator()) {
            if (matching.cardinality() == Cardinality.ONE_TO_MANY || matching.cardinality() == Cardinality.MANY_TO_ONE) {
                throw error(b.position(), "no grouping allowed for \"" + symbol + "\" operation");
            }
        }
        if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && b.operator().isSetOperator()) {
            throw error(b.position(), "set operator \"" + symbol + "\" not allowed in binary scalar expression");
        }
        return new BinaryExpr(b.operator(), lhs, rhs, matching, b.returnBool(), b.position());
    }

    /** From the first non-space after the left operand to the last non-space before the right one. */
    private PositionRange operatorRange(Expr lhs, Expr rhs) {
        int start = lhs.position().end();
        while (start < input.length && Lexer.isSpace(input[start])) {
            start++;
        }
        int end = rhs.position().start() - 1;
        while (end > start && Lexer.isSpace(input[end])) {
            end--;
        }
        return new PositionRange(start, end);
    }

    private Expr checkAggregation(AggregateExpr a) {
        Expr inner = expectType(a.expr(), ValueType.VECTOR, "aggregation expression");
        Expr param = a.param();
        if (a.operator() == AggregateOperator.TOPK || a.operator() == AggregateOperator.BOTTOMK
                || a.operator() == AggregateOperator.QUANTILE) {
            param = expectType(param, ValueType.SCALAR, "aggregation parameter");
        } else if (a.operator() == AggregateOperator.COUNT_VALUES) {
            param = expectType(param, ValueType.STRING, "aggregation parameter");
        }
        return new AggregateExpr(a.operator(), inner, param, a.grouping(), a.without(), a.position());
    }

    private Expr checkCall(Call c) {
        FunctionSignature function = c.function();
        int declared = function.argumentTypes().size();
        int given = c.arguments().size();
        String name = GoStrings.quote(function.name());
        if (function.variadic() == 0) {
            if (declared != given) {
                throw error(c.position(), "expected " + declared + " argument(s) in call to " + name + ", got " + given);
            }
        } else {
            int required = declared - 1;
            if (required > given) {
                throw error(c.position(), "expected at least " + required + " argument(s) in call to " + name
                        + ", got " + given);
            }
            int maximum = required + function.variadic();
            if (function.variadic() > 0 && maximum < given) {
                throw error(c.position(), "expected at most " + maximum + " argument(s) in call to " + name
                        + ", got " + given);
            }
        }
        List<Expr> arguments = new ArrayList<>(given);
        for (int i = 0; i < given; i++) {
            int typeIndex = Math.min(i, declared - 1);
            arguments.add(expectType(c.arguments().get(i), function.argumentTypes().get(typeIndex),
                    "call to function " + name));
        }
        return new Call(function, arguments, c.position());
    }

    private Expr expectType(Expr expr, ValueType want, String context) {
        Expr checked = visit(expr);
        if (checked.type() != want) {
            throw error(checked.position(), "expected type " + want.documentedName() + " in " + context + ", got "
                    + checked.type().documentedName());
        }
        return checked;
    }

    /** Prometheus' ValueType string ("vector", "matrix", ...), used by a few messages instead of the documented name. */
    private static String rawName(ValueType type) {
        return switch (type) {
            case VECTOR -> "vector";
            case MATRIX -> "matrix";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    private ParseException error(PositionRange position, String message) {
        return ParseException.at(query, position, message);
    }
}
