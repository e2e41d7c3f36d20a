package io.gauntlet.promql.engine;

/**
 * Calendar fields of a Unix time in UTC computed the way Go's {@code time} package does, on the unsigned "absolute"
 * second count. Prometheus' date functions convert the sample value with Go's float→int64 conversion, which yields
 * the minimum int64 for NaN and out-of-range values on amd64; Go's arithmetic then wraps, and so does this.
 */
final class GoTime {
    private static final long SECONDS_PER_MINUTE = 60;
    private static final long SECONDS_PER_HOUR = 3600;
    private static final long SECONDS_PER_DAY = 86400;
    private static final long SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY;
    private static final long DAYS_PER_400_YEARS = 365 * 400 + 97;
    private static final long DAYS_PER_100_YEARS = 365 * 100 + 24;
    private static final long DAYS_PER_4_YEARS = 365 * 4 + 1;
    private static final long ABSOLUTE_ZERO_YEAR = -292277022399L;
    private static final long UNIX_TO_INTERNAL = 62135596800L;
    private static final long INTERNAL_TO_ABSOLUTE = 9223371966579724800L;
    private static final int[] DAYS_BEFORE = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

    final long year;
    final int month;
    final int day;
    final int yearDay;
    final int hour;
    final int minute;
    final int weekday;

    private GoTime(long year, int month, int day, int yearDay, int hour, int minute, int weekday) {
        this.year = year;
        this.month = month;
        this.day = day;
        this.yearDay = yearDay;
        this.hour = hour;
        this.minute = minute;
        this.weekday = weekday;
    }

    /** Go's {@code int64(f)} on amd64: truncation, and the minimum int64 for NaN and values out of range. */
    static long goInt64(double value) {
        if (Double.isNaN(value) || value >= 0x1p63 || value < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) value;
    }

    static GoTime ofUnixSeconds(long unixSeconds) {
        long abs = unixSeconds + (UNIX_TO_INTERNAL + INTERNAL_TO_ABSOLUTE); // wraps like Go's int64
        long d = Long.divideUnsigned(abs, SECONDS_PER_DAY);
        long n = Long.divideUnsigned(d, DAYS_PER_400_YEARS);
        long y = 400 * n;
        d -= DAYS_PER_400_YEARS * n;
        n = Long.divideUnsigned(d, DAYS_PER_100_YEARS);
        n -= n >>> 2;
        y += 100 * n;
        d -= DAYS_PER_100_YEARS * n;
        n = Long.divideUnsigned(d, DAYS_PER_4_YEARS);
        y += 4 * n;
        d -= DAYS_PER_4_YEARS * n;
        n = Long.divideUnsigned(d, 365);
        n -= n >>> 2;
        y += n;
        d -= 365 * n;
        long year = y + ABSOLUTE_ZERO_YEAR;
        int yearDay = (int) d;
        int day = yearDay;
        int month;
        boolean leap = isLeap(year);
        if (leap && day == 31 + 29 - 1) {
            month = 2;
            day = 29;
        } else {
            if (leap && day > 31 + 29 - 1) {
                day--;
            }
            month = day / 31;
            int end = DAYS_BEFORE[month + 1];
            int begin;
            if (day >= end) {
                month++;
                begin = end;
            } else {
                begin = DAYS_BEFORE[month];
            }
            month++;
            day = day - begin + 1;
        }
        int hour = (int) (Long.remainderUnsigned(abs, SECONDS_PER_DAY) / SECONDS_PER_HOUR);
        int minute = (int) (Long.remainderUnsigned(abs, SECONDS_PER_HOUR) / SECONDS_PER_MINUTE);
        int weekday = (int) (Long.remainderUnsigned(abs + SECONDS_PER_DAY, SECONDS_PER_WEEK) / SECONDS_PER_DAY);
        return new GoTime(year, month, day, yearDay + 1, hour, minute, weekday);
    }

    static boolean isLeap(long year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    int daysInMonth() {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}
