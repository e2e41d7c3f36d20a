package io.gauntlet.bucketstore;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time bound as Thanos' {@code --min-time}/{@code --max-time} take it: an absolute RFC 3339 time, or a duration
 * relative to now such as {@code -2w} or {@code -36h30m} (units ms, s, m, h, d, w, y).
 */
public record TimeOrDuration(Instant time, long relativeMillis) {
    /** Thanos' defaults: no bound. */
    public static final TimeOrDuration MIN = new TimeOrDuration(Instant.parse("0000-01-01T00:00:00Z"), 0);
    public static final TimeOrDuration MAX = new TimeOrDuration(Instant.parse("9999-12-31T23:59:59Z"), 0);

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

    public static TimeOrDuration parse(String text) {
        String value = text.trim();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("time bound must not be empty");
        }
        try {
            return new TimeOrDuration(Instant.parse(value), 0);
        } catch (DateTimeParseException e) {
            // not a time: a relative duration
        }
        boolean negative = value.startsWith("-");
        String rest = negative || value.startsWith("+") ? value.substring(1) : value;
        Matcher m = PART.matcher(rest);
        long total = 0;
        int at = 0;
        while (at < rest.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 7 * 86_400_000L;
                default -> 365 * 86_400_000L;
            };
            total = Math.addExact(total, Math.multiplyExact(n, unit));
            at = m.end();
        }
        if (at != rest.length() || rest.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is neither an RFC 3339 time nor a duration like -2w or -36h");
        }
        return new TimeOrDuration(null, negative ? -total : total);
    }

    /** The bound in milliseconds since the epoch, relative ones counted from {@code nowMillis}. */
    public long resolve(long nowMillis) {
        return time != null ? time.toEpochMilli() : nowMillis + relativeMillis;
    }

    @Override
    public String toString() {
        return time != null ? time.toString() : (relativeMillis + "ms");
    }
}
