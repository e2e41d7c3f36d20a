package io.gauntlet.seed;

import io.gauntlet.seed.SyntheticSeries.ValueProcess;
import java.util.function.LongToDoubleFunction;

/** The ways seeded values move: constants, counters that follow a daily rhythm and reset on reboot, gauges around a mean. */
public final class Processes {
    static final long DAY = 86_400_000L;

    private Processes() {
    }

    /** A uniform number in [0, 1) fixed by {@code seed} and {@code slot} (SplitMix64's finaliser): the same on every run. */
    public static double noise(long seed, long slot) {
        long z = seed + slot * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** {@code sin} of the time of day, peaking at {@code phase} (fraction of a day) past midnight UTC plus a quarter day. */
    public static double daily(long t, double phase) {
        return Math.sin(2 * Math.PI * ((double) Math.floorMod(t, DAY) / DAY + phase));
    }

    public static ValueProcess constant(double value) {
        return t -> value;
    }

    /** A value computed from the time alone (gauges both replicas see alike, {@code node_time_seconds}, ...). */
    public static ValueProcess of(LongToDoubleFunction value) {
        return value::applyAsDouble;
    }

    /**
     * A counter in whole units, shown as {@code units * multiply / divide} (so 1/100 s ticks are {@code ticks / 100.0} as
     * node_exporter computes them, pages are {@code pages * 4096}). It grows by {@code rate(t)} units per second
     * (with ±{@code jitter} noise per scrape) and starts again from zero when its target reboots.
     */
    public static ValueProcess counter(Target target, long seed, LongToDoubleFunction unitsPerSecond, double jitter, double multiply,
                                       double divide) {
        return new ValueProcess() {
            private long units = -1;
            private long lastT;
            private long boot;

            @Override
            public double next(long t) {
                long bootTime = target.bootTime(t);
                if (units < 0 || bootTime != boot) {
                    // a fresh process: what it counted since its boot
                    boot = bootTime;
                    units = Math.max(0, Math.round(unitsPerSecond.applyAsDouble(t) * (t - bootTime) / 1000.0 * (0.8 + 0.4 * noise(seed, bootTime))));
                } else {
                    double perSecond = unitsPerSecond.applyAsDouble(t) * (1 - jitter + 2 * jitter * noise(seed, t));
                    units += Math.max(0, Math.round(perSecond * (t - lastT) / 1000.0));
                }
                lastT = t;
                return divide == 1 ? units * multiply : units * multiply / divide;
            }
        };
    }

    /**
     * A gauge swinging daily around {@code mean} by {@code swing} (a fraction of the mean) with ±{@code jitter} noise,
     * rounded to a multiple of {@code step} and kept within [min, max].
     */
    public static ValueProcess gauge(long seed, double mean, double swing, double jitter, double step, double min, double max) {
        double phase = noise(seed, -1);
        return t -> {
            double v = mean * (1 + swing * daily(t, phase) + jitter * (2 * noise(seed, t) - 1));
            v = Math.min(max, Math.max(min, v));
            return step >= 1 ? Math.round(v / step) * step : step > 0 ? Math.round(v / step) / (double) Math.round(1 / step) : v;
        };
    }

    /** A gauge that follows {@code follow} with the smoothing of a load average over {@code window} ms, two decimals. */
    public static ValueProcess smoothed(LongToDoubleFunction follow, long window) {
        return new ValueProcess() {
            private double value = Double.NaN;
            private long lastT;

            @Override
            public double next(long t) {
                double target = follow.applyAsDouble(t);
                if (Double.isNaN(value)) {
                    value = target;
                } else {
                    double alpha = 1 - Math.exp(-(double) (t - lastT) / window);
                    value += alpha * (target - value);
                }
                lastT = t;
                return Math.round(value * 100) / 100.0;
            }
        };
    }
}
