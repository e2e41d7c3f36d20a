package io.gauntlet.promql.ast;

import io.gauntlet.tsdb.LabelMatcher;
import java.math.BigDecimal;
import java.util.List;

/** Prints expressions as PromQL in Prometheus' {@code String()} form, so the text parses back to an equal tree. */
public final class ExprPrinter {
    private ExprPrinter() {
    }

    public static String print(Expr expr) {
        StringBuilder out = new StringBuilder();
        append(out, expr);
        return out.toString();
    }

    private static void append(StringBuilder out, Expr expr) {
        switch (expr) {
            case NumberLiteral n -> out.append(formatNumber(n.value()));
            case StringLiteral s -> out.append(quote(s.value()));
            case VectorSelector v -> {
                appendSelector(out, v);
                appendAtAndOffset(out, v.at(), v.offsetMillis());
            }
            case MatrixSelector m -> {
                appendSelector(out, m.selector());
                out.append('[').append(formatDuration(m.rangeMillis())).append(']');
                appendAtAndOffset(out, m.selector().at(), m.selector().offsetMillis());
            }
            case SubqueryExpr s -> {
                append(out, s.expr());
                out.append('[').append(formatDuration(s.rangeMillis())).append(':');
                if (s.stepMillis() != 0) {
                    out.append(formatDuration(s.stepMillis()));
                }
                out.append(']');
                appendAtAndOffset(out, s.at(), s.offsetMillis());
            }
            case UnaryExpr u -> {
                out.append(u.operator().symbol());
                append(out, u.expr());
            }
            case BinaryExpr b -> {
                append(out, b.lhs());
                out.append(' ').append(b.operator().symbol());
                if (b.returnBool()) {
                    out.append(" bool");
                }
                appendMatching(out, b.matching());
                out.append(' ');
                append(out, b.rhs());
            }
            case AggregateExpr a -> {
                out.append(a.operator().symbol());
                if (a.without()) {
                    out.append(" without (").append(String.join(", ", a.grouping())).append(") ");
                } else if (!a.grouping().isEmpty()) {
                    out.append(" by (").append(String.join(", ", a.grouping())).append(") ");
                }
                out.append('(');
                if (a.param() != null) {
                    append(out, a.param());
                    out.append(", ");
                }
                append(out, a.expr());
                out.append(')');
            }
            case Call c -> {
                out.append(c.function().name()).append('(');
                appendList(out, c.arguments());
                out.append(')');
            }
            case ParenExpr p -> {
                out.append('(');
                append(out, p.expr());
                out.append(')');
            }
            case StepInvariantExpr s -> append(out, s.expr());
        }
    }

    private static void appendList(StringBuilder out, List<Expr> exprs) {
        for (int i = 0; i < exprs.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            append(out, exprs.get(i));
        }
    }

    private static void appendSelector(StringBuilder out, VectorSelector v) {
        if (v.name() != null) {
            out.append(v.name());
        }
        boolean first = true;
        for (LabelMatcher matcher : v.matchers()) {
            // the name written in front already stands for its __name__ equality matcher
            if (v.name() != null && matcher.name().equals("__name__") && matcher.type() == LabelMatcher.Type.EQUAL
                    && matcher.value().equals(v.name())) {
                continue;
            }
            out.append(first ? "{" : ",");
            first = false;
            out.append(matcher.name()).append(matcher.type().symbol()).append(quote(matcher.value()));
        }
        if (!first) {
            out.append('}');
        } else if (v.name() == null) {
            out.append("{}");
        }
    }

    private static void appendAtAndOffset(StringBuilder out, AtModifier at, long offsetMillis) {
        if (at != null) {
            switch (at.kind()) {
                case TIMESTAMP -> out.append(" @ ").append(formatSeconds(at.timestampMillis()));
                case START -> out.append(" @ start()");
                case END -> out.append(" @ end()");
            }
        }
        if (offsetMillis > 0) {
            out.append(" offset ").append(formatDuration(offsetMillis));
        } else if (offsetMillis < 0) {
            out.append(" offset -").append(formatDuration(-offsetMillis));
        }
    }

    private static void appendMatching(StringBuilder out, VectorMatching matching) {
        if (matching == null) {
            return;
        }
        boolean grouped = matching.cardinality() == Cardinality.MANY_TO_ONE
                || matching.cardinality() == Cardinality.ONE_TO_MANY;
        // unlike Prometheus, also print an empty ignoring () before group_x so the grouping survives a round trip
        if (matching.on() || !matching.matchingLabels().isEmpty() || grouped) {
            out.append(matching.on() ? " on (" : " ignoring (").append(String.join(", ", matching.matchingLabels()))
                    .append(')');
        }
        if (grouped) {
            out.append(matching.cardinality() == Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
                    .append(String.join(", ", matching.include())).append(')');
        }
    }

    /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest round-trip digits, never an exponent. */
    public static String formatNumber(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) == 0 ? "0" : "-0";
        }
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /** Prometheus' model.Duration form: {@code 1y2w3d4h5m6s7ms}, {@code 0s} for zero; millis must be >= 0. */
    public static String formatDuration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long rest = millis;
        long[] sizes = {365L * 24 * 3_600_000, 7L * 24 * 3_600_000, 24L * 3_600_000, 3_600_000, 60_000, 1000, 1};
        String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            long count = rest / sizes[i];
            if (count > 0) {
                out.append(count).append(units[i]);
                rest -= count * sizes[i];
            }
        }
        return out.toString();
    }

    /** Milliseconds as seconds with exactly three decimals (Go's {@code %.3f}). */
    private static String formatSeconds(long millis) {
        String sign = millis < 0 ? "-" : "";
        long abs = Math.abs(millis);
        long fraction = abs % 1000;
        return sign + (abs / 1000) + "." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + fraction;
    }

    /** Go's {@code strconv.Quote}: double quotes, Go escapes for control and non-printable characters. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '\u0007' -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u000b' -> out.append("\\v");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                    if (isPrintable(cp)) {
                        out.appendCodePoint(cp);
                    } else if (cp < 0x80) {
                        out.append(String.format("\\x%02x", cp));
                    } else if (cp < 0x10000) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.append(String.format("\\U%08x", cp));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
