package io.gauntlet.query;

import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.parser.PromqlParser;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Time and duration parameters as Prometheus' API parses them: float seconds or RFC 3339; float seconds or 1h30m. */
public final class ApiParameters {
    /** Prometheus' minTime / maxTime (the widest range the API accepts), in milliseconds. */
    public static final long MIN_TIME_MILLIS = (Long.MIN_VALUE / 1000 + 62135596801L) * 1000;
    public static final long MAX_TIME_MILLIS = (Long.MAX_VALUE / 1000 - 62135596801L) * 1000 + 999;
    private static final String MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
    private static final String MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";

    // what Go's strconv.ParseFloat takes in decimal form (Java's parser would also take "1d", " 1", "0x1p3")
    private static final Pattern GO_DECIMAL = Pattern.compile("[+-]?(\\d+(_\\d+)*\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private ApiParameters() {
    }

    /** Unix seconds (fractions rounded to milliseconds) or RFC 3339, as milliseconds. */
    public static long parseTime(String value) {
        if (GO_DECIMAL.matcher(value).matches() && !value.contains("_")) {
            double seconds = Double.parseDouble(value);
            if (Double.isFinite(seconds)) {
                double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds);
                // as Go: math.Modf, round the fraction to ms, time.Unix(s, int64(ns*1e9)), then timestamp.FromTime
                double fraction = Math.round((seconds - whole) * 1000) / 1000.0;
                return (long) whole * 1000 + Math.floorDiv((long) (fraction * 1e9), 1_000_000L);
            }
        }
        if (value.equals(MIN_TIME_FORMATTED)) {
            return MIN_TIME_MILLIS;
        }
        if (value.equals(MAX_TIME_FORMATTED)) {
            return MAX_TIME_MILLIS;
        }
        try {
            OffsetDateTime time = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            if (value.length() >= 11 && value.charAt(10) != 'T') {
                throw new DateTimeParseException("no T", value, 10);
            }
            return time.toEpochSecond() * 1000 + time.getNano() / 1_000_000;
        } catch (DateTimeParseException e) {
            throw ApiException.badData("cannot parse \"" + value + "\" to a valid timestamp");
        }
    }

    /** A time parameter that may be absent: {@code defaultMillis} then. */
    public static long parseTimeParameter(String parameter, String value, long defaultMillis) {
        if (value == null || value.isEmpty()) {
            return defaultMillis;
        }
        try {
            return parseTime(value);
        } catch (ApiException e) {
            throw ApiException.invalidParameter(parameter, "Invalid time value for '" + parameter + "': " + e.getMessage());
        }
    }

    /** Float seconds or a Prometheus duration ({@code 1h30m}), as nanoseconds (Go's time.Duration). */
    public static long parseDurationNanos(String value) {
        if (GO_DECIMAL.matcher(value).matches() && !value.contains("_")) {
            double nanos = new BigDecimal(value).multiply(BigDecimal.valueOf(1_000_000_000L)).doubleValue();
            if (nanos > 0x1p63 || nanos < -0x1p63) {
                throw ApiException.badData("cannot parse \"" + value + "\" to a valid duration. It overflows int64");
            }
            return new BigDecimal(nanos).setScale(0, RoundingMode.DOWN).longValue();
        }
        try {
            long millis = PromqlParser.parseDuration(value);
            return Math.multiplyExact(millis, 1_000_000L);
        } catch (PromqlException | ArithmeticException e) {
            throw ApiException.badData("cannot parse \"" + value + "\" to a valid duration");
        }
    }

    /** Go's {@code durationMilliseconds}: nanoseconds truncated to milliseconds. */
    public static long nanosToMillis(long nanos) {
        return nanos / 1_000_000;
    }
}
