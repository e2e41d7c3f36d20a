package io.gauntlet.promql.ast;

import java.nio.charset.StandardCharsets;

/**
 * Prometheus' {@code Pretty} form (promql/parser/prettier.go, what {@code /api/v1/format_query} answers): a node whose
 * text is longer than 100 bytes is split over lines, its children indented by two spaces a level; shorter nodes print
 * on one line in Prometheus' {@code String()} form ({@link ExprPrinter#printAsPrometheus}). The pieces between
 * children (aggregation head, operator with its matching, subquery suffix) are cut out of the node's one-line text,
 * so both forms always agree.
 */
public final class ExprPrettyPrinter {
    private static final int MAX_CHARACTERS_PER_LINE = 100;
    private static final String INDENT = "  ";

    private ExprPrettyPrinter() {
    }

    public static String pretty(Expr expr) {
        return pretty(expr, 0);
    }

    private static String pretty(Expr expr, int level) {
        String indent = INDENT.repeat(level);
        return switch (expr) {
            case AggregateExpr a -> {
                String line = ExprPrinter.printAsPrometheus(a);
                if (!needsSplit(line)) {
                    yield indent + line;
                }
                // one line: head + "(" + [param + ", "] + expr + ")"
                String tail = "(" + (a.param() == null ? "" : ExprPrinter.printAsPrometheus(a.param()) + ", ") + ExprPrinter.printAsPrometheus(a.expr()) + ")";
                StringBuilder out = new StringBuilder(indent).append(line, 0, line.length() - tail.length()).append("(\n");
                if (a.param() != null) {
                    out.append(pretty(a.param(), level + 1)).append(",\n");
                }
                yield out.append(pretty(a.expr(), level + 1)).append('\n').append(indent).append(')').toString();
            }
            case BinaryExpr b -> {
                String line = ExprPrinter.printAsPrometheus(b);
                if (!needsSplit(line)) {
                    yield indent + line;
                }
                // one line: lhs + " " + operator [bool] [matching] + " " + rhs
                String lhs = ExprPrinter.printAsPrometheus(b.lhs());
                String rhs = ExprPrinter.printAsPrometheus(b.rhs());
                String operator = line.substring(lhs.length() + 1, line.length() - rhs.length() - 1);
                yield pretty(b.lhs(), level + 1) + "\n" + indent + operator + "\n" + pretty(b.rhs(), level + 1);
            }
            case Call c -> {
                String line = ExprPrinter.printAsPrometheus(c);
                if (!needsSplit(line)) {
                    yield indent + line;
                }
                StringBuilder out = new StringBuilder(indent).append(c.function().name()).append("(\n");
                for (int i = 0; i < c.arguments().size(); i++) {
                    out.append(i == 0 ? "" : ",\n").append(pretty(c.arguments().get(i), level + 1));
                }
                yield out.append('\n').append(indent).append(')').toString();
            }
            case ParenExpr p -> {
                String line = ExprPrinter.printAsPrometheus(p);
                yield needsSplit(line) ? indent + "(\n" + pretty(p.expr(), level + 1) + "\n" + indent + ")" : indent + line;
            }
            case SubqueryExpr s -> {
                String line = ExprPrinter.printAsPrometheus(s);
                if (!needsSplit(line)) {
                    yield line; // without the indent, as Prometheus prints it
                }
                yield pretty(s.expr(), level) + line.substring(ExprPrinter.printAsPrometheus(s.expr()).length());
            }
            case UnaryExpr u -> indent + u.operator().symbol() + pretty(u.expr(), level).strip();
            case StepInvariantExpr s -> pretty(s.expr(), level);
            default -> indent + ExprPrinter.printAsPrometheus(expr); // selectors and literals
        };
    }

    /** Go's {@code len(n.String())}: bytes of UTF-8. */
    private static boolean needsSplit(String line) {
        return line.length() > MAX_CHARACTERS_PER_LINE || line.getBytes(StandardCharsets.UTF_8).length > MAX_CHARACTERS_PER_LINE;
    }
}
