package io.gauntlet.tsdb.chunks;

/** Prometheus' staleness marker: a NaN with this exact bit pattern ({@code value.StaleNaN}). */
public final class StaleMarkers {
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

    private StaleMarkers() {
    }

    public static boolean isStale(double value) {
        return Double.doubleToRawLongBits(value) == STALE_NAN_BITS;
    }
}
