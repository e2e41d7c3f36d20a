package io.gauntlet.promql.parser;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Number literals as Prometheus reads them: Go's {@code ParseInt(s, 0, 64)} first, then {@code ParseFloat}. */
final class GoNumbers {
    private static final Pattern DECIMAL_FLOAT = Pattern.compile("(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    private GoNumbers() {
    }

    /** @throws NumberFormatException with Go's message, e.g. {@code strconv.ParseFloat: parsing "1e": invalid syntax} */
    static double parseNumber(String text) {
        OptionalLong integer = parseInteger(text);
        return integer.isPresent() ? (double) integer.getAsLong() : parseFloat(text);
    }

    /** Base 0: {@code 0x} hex, leading {@code 0} octal, else decimal; empty when not a valid int64. */
    private static OptionalLong parseInteger(String text) {
        int radix = 10;
        String digits = text;
        if (text.length() > 1 && text.charAt(0) == '0') {
            char second = text.charAt(1);
            if (second == 'x' || second == 'X') {
                radix = 16;
                digits = text.substring(2);
            } else if (second == 'o' || second == 'O') {
                radix = 8;
                digits = text.substring(2);
            } else if (second == 'b' || second == 'B') {
                radix = 2;
                digits = text.substring(2);
            } else {
                radix = 8;
                digits = text.substring(1);
            }
        }
        if (digits.isEmpty()) {
            return OptionalLong.empty();
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = Character.digit(digits.charAt(i), radix);
            if (digit < 0 || digits.charAt(i) > 'z') {
                return OptionalLong.empty();
            }
            if (value > (Long.MAX_VALUE - digit) / radix) {
                return OptionalLong.empty(); // out of int64 range: Go falls back to ParseFloat
            }
            value = value * radix + digit;
        }
        return OptionalLong.of(value);
    }

    private static double parseFloat(String text) {
        if (text.equalsIgnoreCase("inf") || text.equalsIgnoreCase("+inf") || text.equalsIgnoreCase("infinity")) {
            return Double.POSITIVE_INFINITY;
        }
        if (text.equalsIgnoreCase("-inf") || text.equalsIgnoreCase("-infinity")) {
            return Double.NEGATIVE_INFINITY;
        }
        if (text.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        if (!DECIMAL_FLOAT.matcher(text).matches()) {
            throw new NumberFormatException("strconv.ParseFloat: parsing " + Lexer.goQuote(text) + ": invalid syntax");
        }
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            throw new NumberFormatException("strconv.ParseFloat: parsing " + Lexer.goQuote(text)
                    + ": value out of range");
        }
        return value;
    }
}
