package io.gauntlet.rules.template;

import io.gauntlet.promql.ast.GoStrings;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code fmt} as alert templates see it: {@code Sprint} of template values and {@code Sprintf} with the verbs,
 * flags, widths and precisions Go offers, including its {@code %!verb(type=value)} error forms.
 */
public final class GoFmt {
    private GoFmt() {
    }

    /** {@code fmt.Sprint(args...)}: spaces between operands when neither side is a string. */
    public static String sprint(List<Object> args) {
        StringBuilder out = new StringBuilder();
        boolean previousString = false;
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            boolean isString = arg instanceof String;
            if (i > 0 && !isString && !previousString) {
                out.append(' ');
            }
            out.append(value(arg));
            previousString = isString;
        }
        return out.toString();
    }

    /** {@code fmt.Sprintln(args...)}: always a space between operands, a newline at the end. */
    public static String sprintln(List<Object> args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(value(args.get(i)));
        }
        return out.append('\n').toString();
    }

    /** {@code %v} of one value. */
    public static String value(Object value) {
        return switch (value) {
            case null -> "<nil>";
            case String s -> s;
            case Double d -> formatFloat(d, 'g', -1);
            case Long l -> Long.toString(l);
            case Integer i -> Integer.toString(i);
            case Boolean b -> b.toString();
            case GoValue v -> v.goString();
            case Map<?, ?> map -> {
                StringBuilder out = new StringBuilder("map[");
                boolean first = true;
                for (Map.Entry<?, ?> entry : new TreeMap<>(map).entrySet()) {
                    out.append(first ? "" : " ").append(value(entry.getKey())).append(':').append(value(entry.getValue()));
                    first = false;
                }
                yield out.append(']').toString();
            }
            case List<?> list -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : " ").append(value(list.get(i)));
                }
                yield out.append(']').toString();
            }
            default -> value.toString();
        };
    }

    /** Go's name of a value's type, as {@code %T} and the error forms print it. */
    public static String typeName(Object value) {
        return switch (value) {
            case null -> "<nil>";
            case String ignored -> "string";
            case Double ignored -> "float64";
            case Long ignored -> "int";
            case Integer ignored -> "int";
            case Boolean ignored -> "bool";
            case GoValue v -> v.goType();
            case Map<?, ?> ignored -> "map[string]interface {}";
            case List<?> ignored -> "[]interface {}";
            default -> value.getClass().getSimpleName();
        };
    }

    /** {@code strconv.FormatFloat(v, fmt, prec, 64)} for fmt e, f, g (prec -1: the shortest digits that read back). */
    public static String formatFloat(double v, char fmt, int prec) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        String body = formatFinite(Math.abs(v), fmt, prec);
        return negative ? "-" + body : body;
    }

    /** Decimal digits and the position of the decimal point: value = 0.d1d2d3… × 10^point. */
    private record Digits(String digits, int point) {
    }

    private static Digits shortest(double v) {
        if (v == 0) {
            return new Digits("0", 1);
        }
        BigDecimal decimal = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String unscaled = decimal.unscaledValue().toString();
        return new Digits(unscaled, unscaled.length() - decimal.scale());
    }

    private static Digits rounded(double v, int significant) {
        if (v == 0) {
            return new Digits("0".repeat(Math.max(1, significant)), 1);
        }
        BigDecimal decimal = new BigDecimal(v).round(new MathContext(significant, RoundingMode.HALF_EVEN));
        String unscaled = decimal.unscaledValue().toString();
        int point = unscaled.length() - decimal.scale();
        if (unscaled.length() < significant) {
            unscaled = unscaled + "0".repeat(significant - unscaled.length());
        } else if (unscaled.length() > significant) {
            unscaled = unscaled.substring(0, significant);
        }
        return new Digits(unscaled, point);
    }

    private static String formatFinite(double v, char fmt, int prec) {
        boolean shortest = prec < 0;
        switch (fmt) {
            case 'e', 'E' -> {
                Digits d = shortest ? shortest(v) : rounded(v, prec + 1);
                return exponent(d, shortest ? d.digits.length() - 1 : prec, fmt);
            }
            case 'f', 'F' -> {
                if (shortest) {
                    Digits d = shortest(v);
                    return fixed(d, Math.max(d.digits.length() - d.point, 0));
                }
                BigDecimal rounded = new BigDecimal(v).setScale(prec, RoundingMode.HALF_EVEN);
                return rounded.toPlainString();
            }
            case 'g', 'G' -> {
                Digits d;
                int eprec;
                if (shortest) {
                    d = shortest(v);
                    eprec = 6;
                } else {
                    if (prec == 0) {
                        prec = 1;
                    }
                    d = rounded(v, prec);
                    d = new Digits(stripZeros(d.digits), d.point);
                    eprec = prec;
                    if (eprec > d.digits.length() && d.digits.length() >= d.point) {
                        eprec = d.digits.length();
                    }
                }
                int exp = d.point - 1;
                if (exp < -4 || exp >= eprec) {
                    return exponent(d, d.digits.length() - 1, fmt == 'g' ? 'e' : 'E');
                }
                return fixed(d, Math.max(d.digits.length() - d.point, 0));
            }
            default -> throw new IllegalArgumentException("unsupported float format " + fmt);
        }
    }

    private static String stripZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return digits.substring(0, end);
    }

    private static String exponent(Digits d, int fractionDigits, char e) {
        StringBuilder out = new StringBuilder();
        out.append(d.digits.charAt(0));
        if (fractionDigits > 0) {
            out.append('.');
            for (int i = 1; i <= fractionDigits; i++) {
                out.append(i < d.digits.length() ? d.digits.charAt(i) : '0');
            }
        }
        int exp = d.digits.equals("0") || d.digits.chars().allMatch(c -> c == '0') ? 0 : d.point - 1;
        out.append(e).append(exp < 0 ? '-' : '+');
        int abs = Math.abs(exp);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    private static String fixed(Digits d, int fractionDigits) {
        StringBuilder out = new StringBuilder();
        if (d.point <= 0) {
            out.append('0');
        } else {
            for (int i = 0; i < d.point; i++) {
                out.append(i < d.digits.length() ? d.digits.charAt(i) : '0');
            }
        }
        if (fractionDigits > 0) {
            out.append('.');
            for (int i = 0; i < fractionDigits; i++) {
                int index = d.point + i;
                out.append(index >= 0 && index < d.digits.length() ? d.digits.charAt(index) : '0');
            }
        }
        return out.toString();
    }

    /** {@code fmt.Sprintf(format, args...)}. */
    public static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            Spec spec = new Spec();
            while (i < n) {
                char f = format.charAt(i);
                if (f == '+') {
                    spec.plus = true;
                } else if (f == '-') {
                    spec.minus = true;
                } else if (f == '#') {
                    spec.sharp = true;
                } else if (f == ' ') {
                    spec.space = true;
                } else if (f == '0') {
                    spec.zero = true;
                } else {
                    break;
                }
                i++;
            }
            if (i < n && format.charAt(i) == '*') {
                i++;
                if (argIndex < args.size() && args.get(argIndex) instanceof Long width) {
                    spec.width = width.intValue();
                    if (spec.width < 0) {
                        spec.minus = true;
                        spec.width = -spec.width;
                    }
                } else {
                    out.append("%!(BADWIDTH)");
                }
                argIndex++;
            } else {
                int start = i;
                while (i < n && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    spec.width = Integer.parseInt(format.substring(start, i));
                }
            }
            if (i < n && format.charAt(i) == '.') {
                i++;
                if (i < n && format.charAt(i) == '*') {
                    i++;
                    if (argIndex < args.size() && args.get(argIndex) instanceof Long precision) {
                        spec.precision = precision.intValue();
                    } else {
                        out.append("%!(BADPREC)");
                    }
                    argIndex++;
                } else {
                    int start = i;
                    while (i < n && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    spec.precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
                }
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argIndex >= args.size()) {
                out.append("%!").appendCodePoint(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(argIndex++);
            out.append(spec.pad(formatOne(verb, arg, spec)));
        }
        if (argIndex < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argIndex; k < args.size(); k++) {
                Object arg = args.get(k);
                out.append(k > argIndex ? ", " : "").append(typeName(arg)).append('=').append(arg == null ? "<nil>" : value(arg));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static final class Spec {
        boolean plus;
        boolean minus;
        boolean sharp;
        boolean space;
        boolean zero;
        int width = -1;
        int precision = -1;
        boolean numeric;

        String pad(String text) {
            int length = text.codePointCount(0, text.length());
            if (width <= length) {
                return text;
            }
            int missing = width - length;
            if (minus) {
                return text + " ".repeat(missing);
            }
            if (zero && numeric) {
                int signEnd = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+' || text.charAt(0) == ' ') ? 1 : 0;
                return text.substring(0, signEnd) + "0".repeat(missing) + text.substring(signEnd);
            }
            return " ".repeat(missing) + text;
        }
    }

    private static String bad(int verb, Object arg) {
        return "%!" + new String(Character.toChars(verb)) + "(" + typeName(arg) + "=" + value(arg) + ")";
    }

    private static String formatOne(int verb, Object arg, Spec spec) {
        if (arg instanceof GoValue goValue && !(goValue instanceof GoHtml)) {
            return verb == 'v' || verb == 's' ? truncate(goValue.goString(), spec) : bad(verb, arg);
        }
        if (arg instanceof GoHtml html) {
            arg = html.text();
        }
        if (verb == 'T') {
            return typeName(arg);
        }
        switch (arg) {
            case Double d -> {
                spec.numeric = true;
                return switch (verb) {
                    case 'v' -> sign(formatFloat(d, 'g', spec.precision), spec);
                    case 'e', 'E', 'f', 'F', 'g', 'G' -> sign(formatFloat(d, (char) verb, verb == 'g' || verb == 'G'
                            ? spec.precision : spec.precision < 0 ? 6 : spec.precision), spec);
                    default -> bad(verb, arg);
                };
            }
            case Long l -> {
                spec.numeric = true;
                return switch (verb) {
                    case 'v', 'd' -> sign(Long.toString(l), spec);
                    case 'x' -> sign((l < 0 ? "-" : "") + (spec.sharp ? "0x" : "") + Long.toHexString(Math.abs(l)), spec);
                    case 'X' -> sign((l < 0 ? "-" : "") + (spec.sharp ? "0X" : "") + Long.toHexString(Math.abs(l)).toUpperCase(), spec);
                    case 'o' -> sign((l < 0 ? "-" : "") + (spec.sharp ? "0" : "") + Long.toOctalString(Math.abs(l)), spec);
                    case 'b' -> sign((l < 0 ? "-" : "") + Long.toBinaryString(Math.abs(l)), spec);
                    case 'c' -> new String(Character.toChars((int) (long) l));
                    case 'q' -> GoStrings.quoteRune((int) (long) l);
                    case 'e', 'E', 'f', 'F', 'g', 'G' -> bad(verb, arg);
                    default -> bad(verb, arg);
                };
            }
            case String s -> {
                return switch (verb) {
                    case 'v', 's' -> truncate(s, spec);
                    case 'q' -> GoStrings.quote(truncate(s, spec));
                    case 'x' -> hex(s, false);
                    case 'X' -> hex(s, true);
                    default -> bad(verb, arg);
                };
            }
            case Boolean b -> {
                return verb == 'v' || verb == 't' ? b.toString() : bad(verb, arg);
            }
            case null -> {
                return verb == 'v' || verb == 's' ? "%!" + new String(Character.toChars(verb)) + "(<nil>)" : "%!" + new String(Character.toChars(verb)) + "(<nil>)";
            }
            default -> {
                return verb == 'v' || verb == 's' ? value(arg) : bad(verb, arg);
            }
        }
    }

    private static String truncate(String s, Spec spec) {
        if (spec.precision >= 0 && s.codePointCount(0, s.length()) > spec.precision) {
            return s.substring(0, s.offsetByCodePoints(0, spec.precision));
        }
        return s;
    }

    private static String sign(String number, Spec spec) {
        if (number.startsWith("-")) {
            return number;
        }
        if (spec.plus) {
            return "+" + number;
        }
        if (spec.space) {
            return " " + number;
        }
        return number;
    }

    private static String hex(String s, boolean upper) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            String h = String.format(upper ? "%02X" : "%02x", b & 0xff);
            out.append(h);
        }
        return out.toString();
    }
}
