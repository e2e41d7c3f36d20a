package io.gauntlet.promql.parser;

/** One step of a golden-test series: a value, or omitted ({@code _}). Staleness markers carry {@link #STALE_NAN}. */
public record SeriesValue(boolean omitted, double value) {
    /** Prometheus' staleness marker: a NaN with these exact raw bits. */
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);
    public static final SeriesValue OMITTED = new SeriesValue(true, 0);

    public static SeriesValue of(double value) {
        return new SeriesValue(false, value);
    }

    public boolean isStale() {
        return !omitted && Double.doubleToRawLongBits(value) == STALE_NAN_BITS;
    }
}
