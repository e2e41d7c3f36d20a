package io.gauntlet.prometheus;

import java.time.Duration;

/** Prometheus' duration syntax ({@code model.ParseDuration}): units y w d h m s ms in this order, e.g. {@code 1h30m}. */
public final class PrometheusDuration {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] MILLIS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};

    private PrometheusDuration() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        long total = 0;
        int position = 0;
        int lastUnit = -1;
        while (position < text.length()) {
            int digits = position;
            while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
                digits++;
            }
            if (digits == position) {
                throw new IllegalArgumentException("not a valid duration string: \"" + text + "\"");
            }
            long number = Long.parseLong(text.substring(position, digits));
            int unit = -1;
            for (int u = UNITS.length - 1; u >= 0; u--) { // "ms" before "m"
                if (text.startsWith(UNITS[u], digits) && (u != 4 || !text.startsWith("ms", digits))) {
                    unit = u;
                    break;
                }
            }
            if (unit < 0 || unit <= lastUnit) {
                throw new IllegalArgumentException("not a valid duration string: \"" + text + "\"");
            }
            total = Math.addExact(total, Math.multiplyExact(number, MILLIS[unit]));
            lastUnit = unit;
            position = digits + UNITS[unit].length();
        }
        return Duration.ofMillis(total);
    }
}
