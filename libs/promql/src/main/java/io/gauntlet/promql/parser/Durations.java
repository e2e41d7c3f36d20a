package io.gauntlet.promql.parser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus' duration syntax (model.ParseDuration): units y w d h m s ms, each at most once, in that order. */
final class Durations {
    private static final Pattern DURATION = Pattern.compile(
            "(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?");
    private static final long[] UNIT_MILLIS = {
        365L * 24 * 3_600_000, 7L * 24 * 3_600_000, 24L * 3_600_000, 3_600_000, 60_000, 1000, 1};
    private static final long NANOS_PER_MILLI = 1_000_000;

    private Durations() {
    }

    /** @throws IllegalArgumentException with Prometheus' message */
    static long parse(String text) {
        if (text.equals("0")) {
            return 0;
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a valid duration string: " + Lexer.goQuote(text));
        }
        long nanos = 0;
        for (int i = 0; i < UNIT_MILLIS.length; i++) {
            String group = matcher.group(i + 1);
            if (group == null) {
                continue;
            }
            long count = parseCount(group);
            // Go keeps durations in int64 nanoseconds: about 292 years at most
            if (count > Long.MAX_VALUE / UNIT_MILLIS[i] / NANOS_PER_MILLI) {
                throw new IllegalArgumentException("duration out of range");
            }
            try {
                nanos = Math.addExact(nanos, count * UNIT_MILLIS[i] * NANOS_PER_MILLI);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range", e);
            }
        }
        return nanos / NANOS_PER_MILLI;
    }

    private static long parseCount(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
