package io.gauntlet.promql.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Go's {@code math} package as the Prometheus 2.42 binary runs it on linux/amd64 (Go 1.19): the same algorithms,
 * constants and order of operations, so that every function gives the very bits Prometheus gives. Java's
 * {@code Math}/{@code StrictMath} use other algorithms (fdlibm, intrinsics) and differ in the last bit for a share of
 * inputs. {@code Exp} and {@code Log} follow Go's amd64 assembly (not its portable Go code): {@code Exp} takes its
 * fused multiply-add variant when the CPU has AVX and FMA, as Go decides at start-up.
 */
final class GoMath {
    private GoMath() {
    }

    // constants as Go folds them (exact arithmetic, then rounded once)
    private static final double PI = Math.PI;
    private static final double PI_2 = Double.longBitsToDouble(0x3ff921fb54442d18L);
    private static final double PI_4 = Double.longBitsToDouble(0x3fe921fb54442d18L);
    private static final double THREE_PI_4 = Double.longBitsToDouble(0x4002d97c7f3321d2L);
    private static final double FOUR_OVER_PI = Double.longBitsToDouble(0x3ff45f306dc9c883L);
    private static final double INV_LN10 = Double.longBitsToDouble(0x3fdbcb7b1526e50eL);
    private static final double INV_LN2 = Double.longBitsToDouble(0x3ff71547652b82feL);
    private static final double LN2 = Double.longBitsToDouble(0x3fe62e42fefa39efL);
    private static final double LN2_HI = Double.longBitsToDouble(0x3fe62e42fee00000L);
    private static final double LN2_LO = Double.longBitsToDouble(0x3dea39ef35793c76L);

    /** Whether Go's runtime would take the FMA path of its amd64 Exp (cpu.X86.HasAVX && cpu.X86.HasFMA). */
    static final boolean USE_FMA = cpuHasAvxAndFma();

    private static boolean cpuHasAvxAndFma() {
        String override = System.getProperty("gauntlet.promql.go-exp-fma");
        if (override != null) {
            return Boolean.parseBoolean(override);
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("flags")) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    return flags.contains("avx") && flags.contains("fma");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: every x86-64 CPU of the last decade has both
        }
        return true;
    }

    // ---- exp / log (amd64 assembly of Go 1.19) ----

    private static final double LOG2E = 1.4426950408889634073599246810018920;
    private static final double LN2U = 0.69314718055966295651160180568695068359375;
    private static final double LN2L = 0.28235290563031577122588448175013436025525412068e-12;
    private static final double EXP_OVERFLOW = 7.09782712893384e+02;
    private static final double[] EXP_TAYLOR = {
        2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
        4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0};

    static double exp(double x) {
        long bits = Double.doubleToRawLongBits(x);
        if ((bits & ~Long.MIN_VALUE) >= 0x7FF0000000000000L) {
            return bits == 0xFFF0000000000000L ? 0 : x; // -Inf → 0; NaN, +Inf as they are
        }
        if (x > EXP_OVERFLOW) {
            return Double.POSITIVE_INFINITY;
        }
        int k = roundToInt32(LOG2E * x);
        double kd = k;
        double r;
        if (USE_FMA) {
            r = Math.fma(-kd, LN2U, x);
            r = Math.fma(-kd, LN2L, r);
            r *= 0.0625;
            double p = EXP_TAYLOR[0];
            for (int i = 1; i < EXP_TAYLOR.length; i++) {
                p = Math.fma(p, r, EXP_TAYLOR[i]);
            }
            r *= p;
            for (int i = 0; i < 3; i++) {
                r *= r + 2.0;
            }
            r = Math.fma(r, r + 2.0, 1.0);
        } else {
            r = x - kd * LN2U;
            r -= kd * LN2L;
            r *= 0.0625;
            double p = EXP_TAYLOR[0];
            for (int i = 1; i < EXP_TAYLOR.length; i++) {
                p = p * r + EXP_TAYLOR[i];
            }
            r *= p;
            for (int i = 0; i < 4; i++) {
                r *= r + 2.0;
            }
            r += 1.0;
        }
        int biased = k + 0x3FF;
        if (biased <= 0) {
            if (biased < -52) {
                return 0;
            }
            r *= Double.longBitsToDouble((long) (biased + 0x3FE) << 52);
            return r * Double.longBitsToDouble(1L << 52);
        }
        if (biased >= 0x7FF) {
            return Double.POSITIVE_INFINITY;
        }
        return r * Double.longBitsToDouble((long) biased << 52);
    }

    /** CVTSD2SL: round to nearest even; out of int32 range (or NaN) gives the "integer indefinite" 0x80000000. */
    private static int roundToInt32(double v) {
        double rounded = Math.rint(v);
        if (!(rounded >= Integer.MIN_VALUE && rounded <= Integer.MAX_VALUE)) {
            return Integer.MIN_VALUE;
        }
        return (int) rounded;
    }

    private static final double HALF_SQRT2 = 7.07106781186547524401e-01;
    private static final double L1 = 6.666666666666735130e-01;
    private static final double L2 = 3.999999999940941908e-01;
    private static final double L3 = 2.857142874366239149e-01;
    private static final double L4 = 2.222219843214978396e-01;
    private static final double L5 = 1.818357216161805012e-01;
    private static final double L6 = 1.531383769920937332e-01;
    private static final double L7 = 1.479819860511658591e-01;

    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        if ((bits & ~Long.MIN_VALUE) == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (bits < 0) {
            return Double.NaN;
        }
        if (bits >= 0x7FF0000000000000L) {
            return x;
        }
        // the assembly's frexp reads the exponent field as it is (subnormals included)
        double f1 = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FE0000000000000L);
        double k = (int) ((bits >>> 52) & 0x7FF) - 0x3FE;
        if (f1 < HALF_SQRT2) {
            k -= 1;
            f1 *= 2;
        }
        double f = f1 - 1;
        double s = f / (2 + f);
        double s2 = s * s;
        double s4 = s2 * s2;
        double t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
        double t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
        double r = t1 + t2;
        double hfsq = 0.5 * f * f;
        return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
    }

    static double log10(double x) {
        return log(x) * INV_LN10;
    }

    static double log2(double x) {
        double frac = frexpFraction(x);
        long exp = frexpExponent(x);
        if (frac == 0.5) {
            return exp - 1;
        }
        return log(frac) * INV_LN2 + exp;
    }

    private static final double SQRT2_M1 = 4.142135623730950488017e-01;
    private static final double SQRT2_HALF_M1 = -2.928932188134524755992e-01;
    private static final double LP1 = 6.666666666666735130e-01;
    private static final double LP2 = 3.999999999940941908e-01;
    private static final double LP3 = 2.857142874366239149e-01;
    private static final double LP4 = 2.222219843214978396e-01;
    private static final double LP5 = 1.818357216161805012e-01;
    private static final double LP6 = 1.531383769920937332e-01;
    private static final double LP7 = 1.479819860511658591e-01;

    static double log1p(double x) {
        if (x < -1 || Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x == -1) {
            return Double.NEGATIVE_INFINITY;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        double absx = Math.abs(x);
        double f = 0;
        long iu = 0;
        int k = 1;
        if (absx < SQRT2_M1) {
            if (absx < 0x1p-29) {
                if (absx < 0x1p-54) {
                    return x;
                }
                return x - x * x * 0.5;
            }
            if (x > SQRT2_HALF_M1) {
                k = 0;
                f = x;
                iu = 1;
            }
        }
        double c = 0;
        if (k != 0) {
            double u;
            if (absx < 0x1p53) {
                u = 1.0 + x;
                iu = Double.doubleToRawLongBits(u);
                k = (int) ((iu >>> 52) - 1023);
                c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
                c /= u;
            } else {
                u = x;
                iu = Double.doubleToRawLongBits(u);
                k = (int) ((iu >>> 52) - 1023);
                c = 0;
            }
            iu &= 0x000fffffffffffffL;
            if (iu < 0x0006a09e667f3bcdL) {
                u = Double.longBitsToDouble(iu | 0x3ff0000000000000L);
            } else {
                k++;
                u = Double.longBitsToDouble(iu | 0x3fe0000000000000L);
                iu = (0x0010000000000000L - iu) >>> 2;
            }
            f = u - 1.0;
        }
        double hfsq = 0.5 * f * f;
        double kd = k;
        if (iu == 0) {
            if (f == 0) {
                if (k == 0) {
                    return 0;
                }
                c += kd * LN2_LO;
                return kd * LN2_HI + c;
            }
            double r = hfsq * (1.0 - 0.66666666666666666 * f);
            if (k == 0) {
                return f - r;
            }
            return kd * LN2_HI - ((r - (kd * LN2_LO + c)) - f);
        }
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
        if (k == 0) {
            return f - (hfsq - s * (hfsq + r));
        }
        return kd * LN2_HI - ((hfsq - (s * (hfsq + r) + (kd * LN2_LO + c))) - f);
    }

    // ---- trigonometric (Cephes, as in Go's sin.go / tan.go / trig_reduce.go) ----

    private static final double PI4A = 7.85398125648498535156e-1;
    private static final double PI4B = 3.77489470793079817668e-8;
    private static final double PI4C = 2.69515142907905952645e-15;
    private static final double REDUCE_THRESHOLD = 1 << 29;
    private static final double[] SIN = {
        1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
        -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1};
    private static final double[] COS = {
        -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
        2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2};

    /** An octant and the angle reduced into it. */
    private record Reduced(long octant, double z) {
    }

    private static Reduced reduce(double x) {
        if (x >= REDUCE_THRESHOLD) {
            return trigReduce(x);
        }
        long j = goUint64(x * FOUR_OVER_PI);
        double y = j;
        if ((j & 1) == 1) {
            j++;
            y++;
        }
        return new Reduced(j, ((x - y * PI4A) - y * PI4B) - y * PI4C);
    }

    /** Go's float64 → uint64 conversion of a non-negative value below 2^63 (truncation). */
    private static long goUint64(double v) {
        return (long) v;
    }

    private static double sinPolynomial(double z, double zz) {
        return z + z * zz * (((((SIN[0] * zz + SIN[1]) * zz + SIN[2]) * zz + SIN[3]) * zz + SIN[4]) * zz + SIN[5]);
    }

    private static double cosPolynomial(double zz) {
        return 1.0 - 0.5 * zz + zz * zz * (((((COS[0] * zz + COS[1]) * zz + COS[2]) * zz + COS[3]) * zz + COS[4]) * zz + COS[5]);
    }

    static double sin(double x) {
        if (x == 0 || Double.isNaN(x)) {
            return x;
        }
        if (Double.isInfinite(x)) {
            return Double.NaN;
        }
        return x < 0 ? -sinOrCos(-x, false) : sinOrCos(x, false);
    }

    static double cos(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return Double.NaN;
        }
        return sinOrCos(Math.abs(x), true);
    }

    /** sin or cos of a finite x ≥ 0: the octant picks the polynomial and the sign. */
    private static double sinOrCos(double x, boolean cosine) {
        Reduced reduced = reduce(x);
        long j = reduced.octant() & 7;
        boolean sign = false;
        if (j > 3) {
            sign = true;
            j -= 4;
        }
        if (cosine && j > 1) {
            sign = !sign;
        }
        double z = reduced.z();
        double zz = z * z;
        boolean cosinePolynomial = (j == 1 || j == 2) != cosine;
        double y = cosinePolynomial ? cosPolynomial(zz) : sinPolynomial(z, zz);
        return sign ? -y : y;
    }

    private static final double[] TAN_P = {-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7};
    private static final double[] TAN_Q = {
        1.00000000000000000000e0, 1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7,
        -5.38695755929454629881e7};

    static double tan(double x) {
        if (x == 0 || Double.isNaN(x)) {
            return x;
        }
        if (Double.isInfinite(x)) {
            return Double.NaN;
        }
        boolean sign = false;
        if (x < 0) {
            x = -x;
            sign = true;
        }
        Reduced reduced = reduce(x); // tan does not fold the octant modulo 8 (only bit 1 matters)
        long j = reduced.octant();
        double z = reduced.z();
        double zz = z * z;
        double y;
        if (zz > 1e-14) {
            y = z + z * (zz * ((TAN_P[0] * zz + TAN_P[1]) * zz + TAN_P[2])
                    / ((((zz + TAN_Q[1]) * zz + TAN_Q[2]) * zz + TAN_Q[3]) * zz + TAN_Q[4]));
        } else {
            y = z;
        }
        if ((j & 2) == 2) {
            y = -1 / y;
        }
        return sign ? -y : y;
    }

    /** Bits of 4/π (Payne–Hanek reduction table), 64 per word. */
    private static final long[] FOUR_OVER_PI_BITS = {
        0x0000000000000001L, 0x45f306dc9c882a53L, 0xf84eafa3ea69bb81L, 0xb6c52b3278872083L, 0xfca2c757bd778ac3L,
        0x6e48dc74849ba5c0L, 0x0c925dd413a32439L, 0xfc3bd63962534e7dL, 0xd1046bea5d768909L, 0xd338e04d68befc82L,
        0x7323ac7306a673e9L, 0x3908bf177bf25076L, 0x3ff12fffbc0b301fL, 0xde5e2316b414da3eL, 0xda6cfd9e4f96136eL,
        0x9e8c7ecd3cbfd45aL, 0xea4f758fd7cbe2f6L, 0x7a0e73ef14a525d4L, 0xd7f6bf623f1aba10L, 0xac06608df8f6d757L};

    /** Reduction of a huge argument: x·4/π in 192-bit fixed point, octant from the integer part. */
    private static Reduced trigReduce(double x) {
        if (x < PI_4) {
            return new Reduced(0, x);
        }
        long ix = Double.doubleToRawLongBits(x);
        int exp = (int) ((ix >>> 52) & 0x7FF) - 1023 - 52;
        ix &= ~(0x7FFL << 52);
        ix |= 1L << 52;
        int digit = (exp + 61) / 64;
        int bitshift = (exp + 61) % 64;
        long z0 = (FOUR_OVER_PI_BITS[digit] << bitshift) | shiftRightGo(FOUR_OVER_PI_BITS[digit + 1], 64 - bitshift);
        long z1 = (FOUR_OVER_PI_BITS[digit + 1] << bitshift) | shiftRightGo(FOUR_OVER_PI_BITS[digit + 2], 64 - bitshift);
        long z2 = (FOUR_OVER_PI_BITS[digit + 2] << bitshift) | shiftRightGo(FOUR_OVER_PI_BITS[digit + 3], 64 - bitshift);
        long z2hi = Math.unsignedMultiplyHigh(z2, ix);
        long z1hi = Math.unsignedMultiplyHigh(z1, ix);
        long z1lo = z1 * ix;
        long z0lo = z0 * ix;
        long lo = z1lo + z2hi;
        long carry = Long.compareUnsigned(lo, z1lo) < 0 ? 1 : 0;
        long hi = z0lo + z1hi + carry;
        long j = hi >>> 61;
        hi = hi << 3 | lo >>> 61;
        int lz = Long.numberOfLeadingZeros(hi);
        long e = 1023 - (lz + 1);
        hi = shiftLeftGo(hi, lz + 1) | shiftRightGo(lo, 64 - (lz + 1));
        hi >>>= 64 - 52;
        hi |= e << 52;
        double z = Double.longBitsToDouble(hi);
        if ((j & 1) == 1) {
            j++;
            j &= 7;
            z--;
        }
        return new Reduced(j, z * PI_4);
    }

    /** Go's {@code >>} on uint64: shifts of 64 or more (or a wrapped negative count) give 0; Java takes it mod 64. */
    private static long shiftRightGo(long value, int count) {
        return count >= 64 || count < 0 ? 0 : value >>> count;
    }

    private static long shiftLeftGo(long value, int count) {
        return count >= 64 ? 0 : value << count;
    }

    // ---- inverse trigonometric (Cephes atan; asin/acos through it) ----

    private static final double MOREBITS = 6.123233995736765886130e-17;
    private static final double HALF_MOREBITS = Double.longBitsToDouble(0x3c81a62633145c07L);
    private static final double TAN_3PI_8 = 2.41421356237309504880;

    private static double xatan(double x) {
        double z = x * x;
        z = z * ((((-8.750608600031904122785e-01 * z + -1.615753718733365076637e+01) * z + -7.500855792314704667340e+01) * z
                + -1.228866684490136173410e+02) * z + -6.485021904942025371773e+01)
                / (((((z + 2.485846490142306297962e+01) * z + 1.650270098316988542046e+02) * z + 4.328810604912902668951e+02) * z
                + 4.853903996359136964868e+02) * z + 1.945506571482613964425e+02);
        return x * z + x;
    }

    private static double satan(double x) {
        if (x <= 0.66) {
            return xatan(x);
        }
        if (x > TAN_3PI_8) {
            return PI_2 - xatan(1 / x) + MOREBITS;
        }
        return PI_4 + xatan((x - 1) / (x + 1)) + HALF_MOREBITS;
    }

    static double atan(double x) {
        if (x == 0) {
            return x;
        }
        return x > 0 ? satan(x) : -satan(-x);
    }

    static double asin(double x) {
        if (x == 0) {
            return x;
        }
        boolean sign = false;
        if (x < 0) {
            x = -x;
            sign = true;
        }
        if (x > 1) {
            return Double.NaN;
        }
        double temp = Math.sqrt(1 - x * x);
        temp = x > 0.7 ? PI_2 - satan(temp / x) : satan(x / temp);
        return sign ? -temp : temp;
    }

    static double acos(double x) {
        return PI_2 - asin(x);
    }

    static double atan2(double y, double x) {
        if (Double.isNaN(y) || Double.isNaN(x)) {
            return Double.NaN;
        }
        if (y == 0) {
            if (x >= 0 && Double.doubleToRawLongBits(x) >= 0) {
                return Math.copySign(0.0, y);
            }
            return Math.copySign(PI, y);
        }
        if (x == 0) {
            return Math.copySign(PI_2, y);
        }
        if (Double.isInfinite(x)) {
            if (x > 0) {
                return Double.isInfinite(y) ? Math.copySign(PI_4, y) : Math.copySign(0.0, y);
            }
            return Double.isInfinite(y) ? Math.copySign(THREE_PI_4, y) : Math.copySign(PI, y);
        }
        if (Double.isInfinite(y)) {
            return Math.copySign(PI_2, y);
        }
        double q = atan(y / x);
        if (x < 0) {
            return q <= 0 ? q + PI : q - PI;
        }
        return q;
    }

    // ---- hyperbolic ----

    static double sinh(double x) {
        boolean sign = false;
        if (x < 0) {
            x = -x;
            sign = true;
        }
        double temp;
        if (x > 21) {
            temp = exp(x) * 0.5;
        } else if (x > 0.5) {
            double ex = exp(x);
            temp = (ex - 1 / ex) * 0.5;
        } else {
            double sq = x * x;
            temp = (((-0.2630563213397497062819489e+2 * sq + -0.2894211355989563807284660366e+4) * sq
                    + -0.8991272022039509355398013511e+5) * sq + -0.6307673640497716991184787251e+6) * x;
            temp = temp / (((sq + -0.173678953558233699533450911e+3) * sq + 0.1521517378790019070696485176e+5) * sq
                    + -0.6307673640497716991212077277e+6);
        }
        return sign ? -temp : temp;
    }

    static double cosh(double x) {
        x = Math.abs(x);
        if (x > 21) {
            return exp(x) * 0.5;
        }
        double ex = exp(x);
        return (ex + 1 / ex) * 0.5;
    }

    static double tanh(double x) {
        double z = Math.abs(x);
        if (z > 0.5 * 8.8029691931113054295988e+01) {
            return x < 0 ? -1 : 1;
        }
        if (z >= 0.625) {
            double s = exp(2 * z);
            z = 1 - 2 / (s + 1);
            return x < 0 ? -z : z;
        }
        if (x == 0) {
            return x;
        }
        double s = x * x;
        return x + x * s * ((-9.64399179425052238628e-1 * s + -9.92877231001918586564e1) * s + -1.61468768441708447952e3)
                / (((s + 1.12811678491632931402e2) * s + 2.23548839060100448583e3) * s + 4.84406305325125486048e3);
    }

    static double asinh(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        boolean sign = false;
        if (x < 0) {
            x = -x;
            sign = true;
        }
        double temp;
        if (x > 0x1p28) {
            temp = log(x) + LN2;
        } else if (x > 2) {
            temp = log(2 * x + 1 / (Math.sqrt(x * x + 1) + x));
        } else if (x < 0x1p-28) {
            temp = x;
        } else {
            temp = log1p(x + x * x / (1 + Math.sqrt(1 + x * x)));
        }
        return sign ? -temp : temp;
    }

    static double acosh(double x) {
        if (x < 1 || Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x == 1) {
            return 0;
        }
        if (x >= 0x1p28) {
            return log(x) + LN2;
        }
        if (x > 2) {
            return log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
        }
        double t = x - 1;
        return log1p(t + Math.sqrt(2 * t + t * t));
    }

    static double atanh(double x) {
        if (x < -1 || x > 1 || Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x == 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (x == -1) {
            return Double.NEGATIVE_INFINITY;
        }
        boolean sign = false;
        if (x < 0) {
            x = -x;
            sign = true;
        }
        double temp;
        if (x < 0x1p-28) {
            temp = x;
        } else if (x < 0.5) {
            temp = x + x;
            temp = 0.5 * log1p(temp + temp * x / (1 - x));
        } else {
            temp = 0.5 * log1p((x + x) / (1 - x));
        }
        return sign ? -temp : temp;
    }

    // ---- pow, frexp, ldexp ----

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
            a1 = exp(yf * log(x));
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
