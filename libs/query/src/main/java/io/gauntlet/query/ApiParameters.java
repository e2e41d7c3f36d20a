package io.gauntlet.query;

import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.parser.PromqlParser;

/**
 * Time and duration parameters as Prometheus 2.42's API parses them (web/api/v1/api.go): Go's
 * {@code strconv.ParseFloat} seconds (its exact grammar: underscores between digits, {@code inf}, {@code nan}, hex
 * floats with a 'p' exponent; out-of-range values refused) or RFC 3339 as Go 1.19 reads it; durations as float
 * seconds or {@code 1h30m}. Conversions follow Go's amd64 semantics, wrap-arounds included.
 */
public final class ApiParameters {
    private static final String MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
    private static final String MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";

    private ApiParameters() {
    }

    /**
     * Go's {@code parseTime}: float seconds ({@code math.Modf}, the fraction rounded to milliseconds, then
     * {@code time.Unix(int64(s), int64(ns*1e9))}), else RFC 3339, else Prometheus' min/max time strings.
     */
    public static ApiTime parseTime(String value) {
        Double seconds = parseGoFloat(value);
        if (seconds != null) {
            double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds); // math.Modf
            double fraction = Double.isInfinite(seconds) ? Double.NaN : seconds - whole;
            if (Double.isNaN(seconds)) {
                whole = Double.NaN;
            }
            fraction = goRound(fraction * 1000) / 1000;
            return ApiTime.unix(goInt64(whole), goInt64(fraction * 1e9));
        }
        ApiTime parsed = ApiTime.parseRfc3339Nano(value);
        if (parsed != null) {
            return parsed;
        }
        if (value.equals(MIN_TIME_FORMATTED)) {
            return ApiTime.MIN;
        }
        if (value.equals(MAX_TIME_FORMATTED)) {
            return ApiTime.MAX;
        }
        throw ApiException.badData("cannot parse " + GoStrings.quote(value) + " to a valid timestamp");
    }

    /** {@code parseTimeParam}: absent or empty gives {@code defaultTime}; bad values name the parameter twice. */
    public static ApiTime parseTimeParameter(String parameter, String value, ApiTime defaultTime) {
        if (value == null || value.isEmpty()) {
            return defaultTime;
        }
        try {
            return parseTime(value);
        } catch (ApiException e) {
            throw ApiException.invalidParameter(parameter, "Invalid time value for '" + parameter + "': " + e.getMessage());
        }
    }

    /**
     * Go's {@code parseDuration} in nanoseconds: float seconds multiplied by 1e9 in float64 (out of the int64 range
     * refused), else a Prometheus duration ({@code 1h30m}, never negative).
     */
    public static long parseDurationNanos(String value) {
        Double seconds = parseGoFloat(value);
        if (seconds != null) {
            double nanos = seconds * 1e9;
            if (nanos > 0x1p63 || nanos < -0x1p63) {
                throw ApiException.badData("cannot parse " + GoStrings.quote(value) + " to a valid duration. It overflows int64");
            }
            return goInt64(nanos);
        }
        try {
            long millis = PromqlParser.parseDuration(value);
            return Math.multiplyExact(millis, 1_000_000L);
        } catch (PromqlException | ArithmeticException e) {
            throw ApiException.badData("cannot parse " + GoStrings.quote(value) + " to a valid duration");
        }
    }

    /** Go's {@code durationMilliseconds}: nanoseconds truncated to milliseconds. */
    public static long nanosToMillis(long nanos) {
        return nanos / 1_000_000;
    }

    /** Go's float64 to int64 conversion on amd64: truncation, and 0x8000000000000000 when out of range or NaN. */
    static long goInt64(double value) {
        if (!(value >= -0x1p63 && value < 0x1p63)) {
            return Long.MIN_VALUE;
        }
        return (long) value;
    }

    /** Go's {@code math.Round}: half away from zero. */
    static double goRound(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double truncated = value < 0 ? Math.ceil(value) : Math.floor(value);
        if (Math.abs(value - truncated) >= 0.5) {
            truncated += Math.copySign(1.0, value);
        }
        return truncated == 0 ? Math.copySign(0.0, value) : truncated;
    }

    /**
     * Go's {@code strconv.ParseFloat(s, 64)}: the value, or null where Go reports an error (bad syntax, or a finite
     * literal out of the float64 range).
     */
    static Double parseGoFloat(String s) {
        int i = 0;
        int n = s.length();
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        String rest = s.substring(i);
        if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (rest.equalsIgnoreCase("nan")) {
            return i == 0 ? Double.NaN : null; // Go takes no sign before NaN
        }
        boolean hex = rest.length() > 2 && rest.charAt(0) == '0' && (rest.charAt(1) == 'x' || rest.charAt(1) == 'X');
        String body = hex ? rest.substring(2) : rest;
        StringBuilder clean = new StringBuilder(s.length());
        int mantissaDigits = 0;
        boolean point = false;
        boolean exponent = false;
        int exponentDigits = 0;
        char previous = hex ? 'x' : 0; // an underscore may follow the base prefix or a digit
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            boolean digit = hex && !exponent ? Character.digit(c, 16) >= 0 && c < 128 : c >= '0' && c <= '9';
            if (c == '_') {
                boolean afterDigitOrPrefix = previous == 'x' || isDigitOf(previous, hex && !exponent);
                boolean beforeDigit = k + 1 < body.length() && isDigitOf(body.charAt(k + 1), hex && !exponent);
                if (!afterDigitOrPrefix || !beforeDigit) {
                    return null;
                }
                previous = c;
                continue;
            }
            if (digit) {
                if (exponent) {
                    exponentDigits++;
                } else {
                    mantissaDigits++;
                }
            } else if (c == '.' && !point && !exponent) {
                point = true;
            } else if (!exponent && (hex ? c == 'p' || c == 'P' : c == 'e' || c == 'E')) {
                exponent = true;
                if (k + 1 < body.length() && (body.charAt(k + 1) == '+' || body.charAt(k + 1) == '-')) {
                    clean.append(c);
                    c = body.charAt(++k);
                }
            } else {
                return null;
            }
            clean.append(c);
            previous = c;
        }
        if (mantissaDigits == 0 || exponent && exponentDigits == 0 || hex && !exponent) {
            return null;
        }
        double value = Double.parseDouble((negative ? "-" : "") + (hex ? "0x" : "") + clean);
        return Double.isInfinite(value) ? null : value;
    }

    private static boolean isDigitOf(char c, boolean hex) {
        return hex ? c < 128 && Character.digit(c, 16) >= 0 : c >= '0' && c <= '9';
    }
}
