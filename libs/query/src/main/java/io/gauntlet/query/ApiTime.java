package io.gauntlet.query;

/**
 * A time parameter as Prometheus' API holds it: a Go {@code time.Time} of Unix seconds and nanoseconds (normalised
 * to [0, 1e9) as {@code time.Unix} does, int64 arithmetic wrapping as Go's does). Prometheus turns it into
 * milliseconds two ways, and both are kept: the query engine through {@code UnixNano()} (which wraps for years past
 * 2262), the label and series APIs through {@code timestamp.FromTime} (seconds × 1000).
 */
public record ApiTime(long seconds, long nanos) {
    /** Seconds from year 1 to 1970 (Go's unixToInternal): Go compares and subtracts times on that scale. */
    private static final long UNIX_TO_INTERNAL = 62_135_596_800L;
    private static final long MIN_DURATION = Long.MIN_VALUE;
    private static final long MAX_DURATION = Long.MAX_VALUE;

    /** Prometheus' minTime and maxTime, the defaults of the series and label APIs' start and end. */
    public static final ApiTime MIN = new ApiTime(Long.MIN_VALUE / 1000 + 62_135_596_801L, 0);
    public static final ApiTime MAX = new ApiTime(Long.MAX_VALUE / 1000 - 62_135_596_801L, 999_999_999);

    /** Go's {@code time.Unix(sec, nsec)}: nanoseconds outside [0, 1e9) carried into the seconds. */
    public static ApiTime unix(long seconds, long nanos) {
        long sec = seconds;
        long nsec = nanos;
        if (nsec < 0 || nsec >= 1_000_000_000L) {
            long carry = nsec / 1_000_000_000L;
            sec += carry;
            nsec -= carry * 1_000_000_000L;
            if (nsec < 0) {
                nsec += 1_000_000_000L;
                sec--;
            }
        }
        return new ApiTime(sec, nsec);
    }

    public static ApiTime ofMillis(long millis) {
        return unix(Math.floorDiv(millis, 1000), Math.floorMod(millis, 1000) * 1_000_000L);
    }

    /** The evaluation time the query engine uses: {@code t.UnixNano() / 1e6} (wrapping past year 2262). */
    public long engineMillis() {
        return (seconds * 1_000_000_000L + nanos) / 1_000_000L;
    }

    /** {@code timestamp.FromTime(t)}: what the label and series APIs ask storage with. */
    public long storageMillis() {
        return seconds * 1000 + nanos / 1_000_000L;
    }

    private long internalSeconds() {
        return seconds + UNIX_TO_INTERNAL;
    }

    /** Go's {@code t.Before(u)}. */
    public boolean before(ApiTime other) {
        long a = internalSeconds();
        long b = other.internalSeconds();
        return a < b || a == b && nanos < other.nanos;
    }

    /** Go's {@code t.Sub(u)} in nanoseconds, saturated to the int64 range as Go's Duration is. */
    public long minus(ApiTime other) {
        long d = (internalSeconds() - other.internalSeconds()) * 1_000_000_000L + (nanos - other.nanos);
        if (other.plus(d).equals(this)) {
            return d;
        }
        return before(other) ? MIN_DURATION : MAX_DURATION;
    }

    /** Go's {@code t.Add(d)}. */
    private ApiTime plus(long durationNanos) {
        long dsec = durationNanos / 1_000_000_000L;
        long nsec = nanos + durationNanos % 1_000_000_000L;
        if (nsec >= 1_000_000_000L) {
            dsec++;
            nsec -= 1_000_000_000L;
        } else if (nsec < 0) {
            dsec--;
            nsec += 1_000_000_000L;
        }
        return new ApiTime(seconds + dsec, nsec);
    }

    /**
     * Go 1.19's {@code time.Parse(time.RFC3339Nano, s)}, as strict and as lenient as it is: four-digit year, two-digit
     * month, day, minute and second, a one- or two-digit hour, an optional fraction of up to nine digits after '.' or
     * ',', then 'Z' or ±hh:mm (not range-checked); null when it does not parse.
     */
    static ApiTime parseRfc3339Nano(String s) {
        Cursor c = new Cursor(s);
        int year = c.digits(4, 4);
        if (year < 0 || !c.literal('-')) {
            return null;
        }
        int month = c.digits(2, 2);
        if (month < 0 || !c.literal('-')) {
            return null;
        }
        int day = c.digits(2, 2);
        if (day < 0 || !c.literal('T')) {
            return null;
        }
        int hour = c.digits(1, 2);
        if (hour < 0 || !c.literal(':')) {
            return null;
        }
        int minute = c.digits(2, 2);
        if (minute < 0 || !c.literal(':')) {
            return null;
        }
        int second = c.digits(2, 2);
        if (second < 0) {
            return null;
        }
        long nanos = 0;
        if (c.remaining() >= 2 && (c.peek(0) == '.' || c.peek(0) == ',') && isDigit(c.peek(1))) {
            c.skip(1);
            int digits = 0;
            long fraction = 0;
            while (c.remaining() > 0 && isDigit(c.peek(0)) && digits < 9) {
                fraction = fraction * 10 + (c.peek(0) - '0');
                c.skip(1);
                digits++;
            }
            for (int i = digits; i < 9; i++) {
                fraction *= 10;
            }
            nanos = fraction;
        }
        long offsetSeconds;
        if (c.literal('Z')) {
            offsetSeconds = 0;
        } else {
            if (c.remaining() < 6 || (c.peek(0) != '+' && c.peek(0) != '-') || c.peek(3) != ':') {
                return null;
            }
            int sign = c.peek(0) == '-' ? -1 : 1;
            c.skip(1);
            int offsetHours = c.digits(2, 2);
            c.skip(1);
            int offsetMinutes = c.digits(2, 2);
            if (offsetHours < 0 || offsetMinutes < 0) {
                return null;
            }
            offsetSeconds = sign * (offsetHours * 3600L + offsetMinutes * 60L);
        }
        if (c.remaining() != 0 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59
                || day < 1 || day > daysIn(year, month)) {
            return null;
        }
        long days = daysFromCivil(year, month, day);
        return unix(days * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to the proleptic Gregorian date. */
    private static long daysFromCivil(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** A reading position in the text being parsed. */
    private static final class Cursor {
        private final String text;
        private int position;

        Cursor(String text) {
            this.text = text;
        }

        int remaining() {
            return text.length() - position;
        }

        int peek(int ahead) {
            return text.charAt(position + ahead);
        }

        void skip(int count) {
            position += count;
        }

        boolean literal(char expected) {
            if (remaining() > 0 && text.charAt(position) == expected) {
                position++;
                return true;
            }
            return false;
        }

        /** An unsigned number of between min and max digits (as many as there are, up to max); -1 if too few. */
        int digits(int min, int max) {
            int value = 0;
            int count = 0;
            while (count < max && remaining() > 0 && isDigit(peek(0))) {
                value = value * 10 + (peek(0) - '0');
                position++;
                count++;
            }
            return count < min ? -1 : value;
        }
    }
}
