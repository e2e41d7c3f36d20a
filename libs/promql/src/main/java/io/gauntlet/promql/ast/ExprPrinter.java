package io.gauntlet.promql.ast;

import io.gauntlet.tsdb.LabelMatcher;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** Prints expressions as PromQL in Prometheus' {@code String()} form, so the text parses back to an equal tree. */
public final class ExprPrinter {
    private ExprPrinter() {
    }

    /** Iterative, so that trees tens of thousands of levels deep print on any thread's stack. */
    public static String print(Expr expr) {
        return print(expr, false);
    }

    /**
     * Prometheus' own {@code String()} text, which does not always parse back to the same tree: selectors' matchers
     * sorted by their text, and an empty {@code ignoring ()} dropped together with its {@code group_x}.
     */
    public static String printAsPrometheus(Expr expr) {
        return print(expr, true);
    }

    private static String print(Expr expr, boolean asPrometheus) {
        StringBuilder out = new StringBuilder();
        // pending pieces in print order from the top: an Expr still to expand, or text to write as it is
        ArrayDeque<Object> pending = new ArrayDeque<>();
        pending.push(expr);
        while (!pending.isEmpty()) {
            Object next = pending.pop();
            if (next instanceof String text) {
                out.append(text);
            } else {
                expand(out, (Expr) next, pending, asPrometheus);
            }
        }
        return out.toString();
    }

    /** Writes a leaf, or pushes a node's pieces (children and the text between them) last piece first. */
    private static void expand(StringBuilder out, Expr expr, ArrayDeque<Object> pending, boolean asPrometheus) {
        switch (expr) {
            case NumberLiteral n -> out.append(formatNumber(n.value()));
            case StringLiteral s -> out.append(quote(s.value()));
            case VectorSelector v -> {
                appendSelector(out, v, asPrometheus);
                appendAtAndOffset(out, v.at(), v.offsetMillis());
            }
            case MatrixSelector m -> {
                appendSelector(out, m.selector(), asPrometheus);
                out.append('[').append(formatDuration(m.rangeMillis())).append(']');
                appendAtAndOffset(out, m.selector().at(), m.selector().offsetMillis());
            }
            case SubqueryExpr s -> {
                StringBuilder suffix = new StringBuilder();
                suffix.append('[').append(formatDuration(s.rangeMillis())).append(':');
                if (s.stepMillis() != 0) {
                    suffix.append(formatDuration(s.stepMillis()));
                }
                suffix.append(']');
                appendAtAndOffset(suffix, s.at(), s.offsetMillis());
                pushInOrder(pending, s.expr(), suffix.toString());
            }
            case UnaryExpr u -> pushInOrder(pending, u.operator().symbol(), u.expr());
            case BinaryExpr b -> {
                StringBuilder operator = new StringBuilder().append(' ').append(b.operator().symbol());
                if (b.returnBool()) {
                    operator.append(" bool");
                }
                appendMatching(operator, b.matching(), asPrometheus);
                operator.append(' ');
                pushInOrder(pending, b.lhs(), operator.toString(), b.rhs());
            }
            case AggregateExpr a -> {
                StringBuilder head = new StringBuilder(a.operator().symbol());
                if (a.without()) {
                    head.append(" without (").append(String.join(", ", a.grouping())).append(") ");
                } else if (!a.grouping().isEmpty()) {
                    head.append(" by (").append(String.join(", ", a.grouping())).append(") ");
                }
                head.append('(');
                if (a.param() != null) {
                    pushInOrder(pending, head.toString(), a.param(), ", ", a.expr(), ")");
                } else {
                    pushInOrder(pending, head.toString(), a.expr(), ")");
                }
            }
            case Call c -> {
                List<Object> pieces = new ArrayList<>();
                pieces.add(c.function().name() + "(");
                for (int i = 0; i < c.arguments().size(); i++) {
                    if (i > 0) {
                        pieces.add(", ");
                    }
                    pieces.add(c.arguments().get(i));
                }
                pieces.add(")");
                pushInOrder(pending, pieces.toArray());
            }
            case ParenExpr p -> pushInOrder(pending, "(", p.expr(), ")");
            case StepInvariantExpr s -> pending.push(s.expr());
        }
    }

    private static void pushInOrder(ArrayDeque<Object> pending, Object... pieces) {
        for (int i = pieces.length - 1; i >= 0; i--) {
            pending.push(pieces[i]);
        }
    }

    private static void appendSelector(StringBuilder out, VectorSelector v, boolean asPrometheus) {
        if (v.name() != null) {
            out.append(v.name());
        }
        List<String> matchers = new ArrayList<>(v.matchers().size());
        for (LabelMatcher matcher : v.matchers()) {
            // the name written in front already stands for its __name__ equality matcher
            if (v.name() != null && matcher.name().equals("__name__") && matcher.type() == LabelMatcher.Type.EQUAL
                    && matcher.value().equals(v.name())) {
                continue;
            }
            // Prometheus compares with the name even when there is none, so it drops __name__="" too
            if (asPrometheus && v.name() == null && matcher.name().equals("__name__") && matcher.type() == LabelMatcher.Type.EQUAL
                    && matcher.value().isEmpty()) {
                continue;
            }
            matchers.add(matcher.name() + matcher.type().symbol() + quote(matcher.value()));
        }
        if (asPrometheus) {
            matchers.sort(null);
        }
        if (!matchers.isEmpty()) {
            out.append('{').append(String.join(",", matchers)).append('}');
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

    private static void appendMatching(StringBuilder out, VectorMatching matching, boolean asPrometheus) {
        if (matching == null) {
            return;
        }
        boolean grouped = matching.cardinality() == Cardinality.MANY_TO_ONE
                || matching.cardinality() == Cardinality.ONE_TO_MANY;
        // unlike Prometheus, also print an empty ignoring () before group_x so the grouping survives a round trip
        if (asPrometheus && !matching.on() && matching.matchingLabels().isEmpty()) {
            return;
        }
        if (matching.on() || !matching.matchingLabels().isEmpty() || grouped) {
            out.append(matching.on() ? " on (" : " ignoring (").append(String.join(", ", matching.matchingLabels()))
                    .append(')');
        }
        if (grouped) {
            out.append(matching.cardinality() == Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
                    .append(String.join(", ", matching.include())).append(')');
        }
    }

    /** Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}: shortest round-trip digits, exponent from 1e+06 and below 1e-04. */
    public static String formatNumber(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        String sign = Double.doubleToRawLongBits(value) < 0 ? "-" : "";
        if (value == 0) {
            return sign + "0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
        String digits = decimal.unscaledValue().toString();
        int exponent = digits.length() - decimal.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            StringBuilder out = new StringBuilder(sign).append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int magnitude = Math.abs(exponent);
            return out.append('e').append(exponent < 0 ? '-' : '+').append(magnitude < 10 ? "0" : "").append(magnitude)
                    .toString();
        }
        return sign + decimal.toPlainString();
    }

    /**
     * Prometheus' model.Duration form, {@code 0s} for zero: years and weeks only when they divide the duration
     * exactly ({@code 90d}, not {@code 12w6d}), then days, hours, minutes, seconds, milliseconds. millis must be >= 0.
     */
    public static String formatDuration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long rest = millis;
        long[] sizes = {365L * 24 * 3_600_000, 7L * 24 * 3_600_000, 24L * 3_600_000, 3_600_000, 60_000, 1000, 1};
        String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (i < 2 && rest % sizes[i] != 0) {
                continue;
            }
            long count = rest / sizes[i];
            if (count > 0) {
                out.append(count).append(units[i]);
                rest -= count * sizes[i];
            }
        }
        return out.toString();
    }

    /** Milliseconds as seconds with three decimals, computed in floating point as Prometheus does ({@code %.3f}). */
    private static String formatSeconds(long millis) {
        return new BigDecimal(millis / 1000.0).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Go's {@code strconv.Quote}: double quotes, Go escapes for control and non-printable characters. */
    public static String quote(String value) {
        return GoStrings.quote(value);
    }
}
