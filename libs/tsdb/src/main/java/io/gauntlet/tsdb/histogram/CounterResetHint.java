package io.gauntlet.tsdb.histogram;

/**
 * What is known about a counter reset at a histogram sample (Prometheus {@code histogram.CounterResetHint}); a chunk
 * stores it in the top two bits of its third byte as {@link #headerBits()}.
 */
public enum CounterResetHint {
    /** Not known: a reader has to compare with the previous sample. */
    UNKNOWN(0b0000_0000),
    /** The chunk was cut because of a counter reset. */
    COUNTER_RESET(0b1000_0000),
    /** Definitely no counter reset. */
    NOT_COUNTER_RESET(0b0100_0000),
    /** A gauge histogram: counter resets do not apply. */
    GAUGE(0b1100_0000);

    /** The two bits of the chunk header that hold the hint. */
    public static final int HEADER_MASK = 0b1100_0000;

    private final int headerBits;

    CounterResetHint(int headerBits) {
        this.headerBits = headerBits;
    }

    public int headerBits() {
        return headerBits;
    }

    /** The hint a chunk header byte holds. */
    public static CounterResetHint ofHeader(int headerByte) {
        return switch (headerByte & HEADER_MASK) {
            case 0b1000_0000 -> COUNTER_RESET;
            case 0b0100_0000 -> NOT_COUNTER_RESET;
            case 0b1100_0000 -> GAUGE;
            default -> UNKNOWN;
        };
    }

    /**
     * The hint of the {@code read}-th sample (1-based) of a chunk with this header: a gauge chunk holds gauges, samples
     * after the first are never resets, and the first is a reset only when the chunk says so (Prometheus' reading).
     */
    public CounterResetHint ofSample(int read) {
        if (this == GAUGE) {
            return GAUGE;
        }
        if (read > 1) {
            return NOT_COUNTER_RESET;
        }
        return this == COUNTER_RESET ? COUNTER_RESET : UNKNOWN;
    }
}
