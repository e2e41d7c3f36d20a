package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.histogram.Span;
import java.util.function.Function;

/**
 * The layout written once at the start of a histogram chunk (Prometheus {@code writeHistogramChunkLayout}): zero
 * threshold, schema, positive spans, negative spans.
 */
final class HistogramLayout {
    private HistogramLayout() {
    }

    static void write(BitStreamWriter out, int schema, double zeroThreshold, Span[] positive, Span[] negative) {
        writeZeroThreshold(out, zeroThreshold);
        out.writeVarbitInt(schema);
        writeSpans(out, positive);
        writeSpans(out, negative);
    }

    private static void writeSpans(BitStreamWriter out, Span[] spans) {
        out.writeVarbitUint(spans.length);
        for (Span span : spans) {
            out.writeVarbitUint(Integer.toUnsignedLong(span.length()));
            out.writeVarbitInt(span.offset());
        }
    }

    /**
     * One byte for 0 and for powers of two from 2^-243 to 2^10 (the IEEE exponent plus 243), else 255 and the raw
     * 64 bits (Prometheus {@code putZeroThreshold}).
     */
    static void writeZeroThreshold(BitStreamWriter out, double threshold) {
        if (threshold == 0) {
            out.writeByte(0);
            return;
        }
        // Go's math.Frexp: threshold = frac × 2^exp with frac in [0.5, 1)
        int exp = Math.getExponent(threshold) + 1;
        boolean powerOfTwo = threshold > 0 && Double.isFinite(threshold) && Math.getExponent(threshold) >= Double.MIN_EXPONENT
                && (Double.doubleToRawLongBits(threshold) & 0x000FFFFFFFFFFFFFL) == 0;
        if (!powerOfTwo || exp < -242 || exp > 11) {
            out.writeByte(255);
            out.writeBits(Double.doubleToRawLongBits(threshold), 64);
            return;
        }
        out.writeByte(exp + 243);
    }

    static double readZeroThreshold(BitStreamReader in) {
        int b = in.readByte();
        return switch (b) {
            case 0 -> 0;
            case 255 -> Double.longBitsToDouble(in.readBits(64));
            default -> Math.scalb(0.5, b - 243);
        };
    }

    static Span[] readSpans(BitStreamReader in, Function<String, CorruptedDataException> corrupted)
            throws CorruptedDataException {
        long count = in.readVarbitUint();
        if (count == 0) {
            return Span.NONE;
        }
        // every span takes at least two bits
        if (count < 0 || count > (in.limit() - in.position()) / 2) {
            throw corrupted.apply("histogram chunk layout announces " + Long.toUnsignedString(count)
                    + " spans, more than the data can hold");
        }
        Span[] spans = new Span[(int) count];
        for (int i = 0; i < spans.length; i++) {
            long length = in.readVarbitUint();
            long offset = in.readVarbitInt();
            if (length < 0 || length > Integer.MAX_VALUE || offset < Integer.MIN_VALUE || offset > Integer.MAX_VALUE) {
                throw corrupted.apply("histogram chunk span " + i + " has length " + length + " and offset " + offset);
            }
            spans[i] = new Span((int) offset, (int) length);
        }
        return spans;
    }
}
