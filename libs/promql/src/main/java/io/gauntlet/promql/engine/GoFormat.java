package io.gauntlet.promql.engine;

import java.math.BigDecimal;

/** Go's formatting where Prometheus' output depends on it (label values from numbers, quoted strings in errors). */
final class GoFormat {
    private GoFormat() {
    }

    /** {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest round-trip digits, never an exponent. */
    static String formatFloatPlain(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /** {@code %v} of a float64 ({@code %g} with the shortest digits): exponent form below 1e-4 and from 1e6 up. */
    static String formatFloat(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            String digits = decimal.unscaledValue().abs().toString();
            StringBuilder out = new StringBuilder();
            if (value < 0) {
                out.append('-');
            }
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            return out.append(magnitude).toString();
        }
        return decimal.toPlainString();
    }

    /** Go's {@code %q} for printable strings: double quotes with backslash escapes. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * Go's {@code math.Pow}: special cases as Go defines them, integer powers by repeated squaring of the frexp
     * fraction (so {@code x ^ 4} rounds as Go rounds it, not as the correctly rounded {@code Math.pow}).
     */
    static double pow(double x, double y) {
        if (y == 0 || x == 1) {
            return 1;
        }
        if (y == 1) {
            return x;
        }
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.NaN;
        }
        if (x == 0) {
            boolean negativeZero = Double.doubleToRawLongBits(x) < 0;
            if (y < 0) {
                return negativeZero && isOddInt(y) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return negativeZero && isOddInt(y) ? x : 0;
        }
        if (Double.isInfinite(y)) {
            if (x == -1) {
                return 1;
            }
            return (Math.abs(x) < 1) == (y > 0) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (Double.isInfinite(x)) {
            if (x < 0) {
                return pow(1 / x, -y); // Pow(-0, -y)
            }
            return y < 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        if (y == 0.5) {
            return Math.sqrt(x);
        }
        if (y == -0.5) {
            return 1 / Math.sqrt(x);
        }
        double absY = Math.abs(y);
        double yi = Math.floor(absY);
        double yf = absY - yi;
        if (yf != 0 && x < 0) {
            return Double.NaN;
        }
        if (yi >= 0x1p63) {
            if (x == -1) {
                return 1;
            }
            return (Math.abs(x) < 1) == (y > 0) ? 0 : Double.POSITIVE_INFINITY;
        }
        double a1 = 1.0;
        long ae = 0;
        if (yf != 0) {
            if (yf > 0.5) {
                yf--;
                yi++;
            }
            a1 = Math.exp(yf * Math.log(x));
        }
        double x1 = frexpFraction(x);
        long xe = frexpExponent(x);
        for (long i = (long) yi; i != 0; i >>= 1) {
            if (xe < -(1 << 12) || (1 << 12) < xe) {
                // catastrophic overflow: leave it to ldexp
                ae += xe;
                break;
            }
            if ((i & 1) == 1) {
                a1 *= x1;
                ae += xe;
            }
            x1 *= x1;
            xe <<= 1;
            if (x1 < .5) {
                x1 += x1;
                xe--;
            }
        }
        if (y < 0) {
            a1 = 1 / a1;
            ae = -ae;
        }
        return ldexp(a1, ae);
    }

    private static boolean isOddInt(double x) {
        if (Math.abs(x) >= 0x1p53) {
            return false;
        }
        double integer = Math.floor(Math.abs(x));
        return integer == Math.abs(x) && ((long) integer & 1) == 1;
    }

    /** The fraction of Go's {@code Frexp}: x = frac × 2^exp with |frac| in [0.5, 1). */
    static double frexpFraction(double x) {
        if (x == 0 || Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        return Math.scalb(x, (int) -frexpExponent(x));
    }

    static long frexpExponent(double x) {
        if (x == 0 || Double.isNaN(x) || Double.isInfinite(x)) {
            return 0;
        }
        int exponent = Math.getExponent(x);
        if (exponent == Double.MIN_EXPONENT - 1) {
            // subnormal: normalise first
            return Math.getExponent(x * 0x1p52) - 52 + 1;
        }
        return exponent + 1;
    }

    /** Go's {@code Ldexp}: frac × 2^exp, rounding once for subnormal results. */
    static double ldexp(double fraction, long exp) {
        if (fraction == 0 || Double.isInfinite(fraction) || Double.isNaN(fraction)) {
            return fraction;
        }
        if (exp > 4096) {
            return fraction < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (exp < -4096) {
            return Math.copySign(0.0, fraction);
        }
        return Math.scalb(fraction, (int) exp);
    }
}
