package io.gauntlet.rules.template;

import java.util.List;

/** Prometheus' humanize, humanize1024 and humanizeDuration: SI and binary prefixes, d/h/m/s durations, 4 digits. */
final class Humanize {
    private static final String[] BIG = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    private static final String[] SMALL = {"m", "u", "n", "p", "f", "a", "z", "y"};
    private static final String[] BINARY = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};

    private Humanize() {
    }

    private static String g4(double v, String suffix) {
        return GoFmt.sprintf("%.4g", List.of(v)) + suffix;
    }

    static String humanize(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return g4(v, "");
        }
        String prefix = "";
        if (Math.abs(v) >= 1) {
            for (String p : BIG) {
                if (Math.abs(v) < 1000) {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
            return g4(v, prefix);
        }
        for (String p : SMALL) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return g4(v, prefix);
    }

    static String humanize1024(double v) {
        if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
            return g4(v, "");
        }
        String prefix = "";
        for (String p : BINARY) {
            if (Math.abs(v) < 1024) {
                break;
            }
            prefix = p;
            v /= 1024;
        }
        return g4(v, prefix);
    }

    static String duration(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return g4(v, "");
        }
        if (v == 0) {
            return g4(v, "s");
        }
        if (Math.abs(v) >= 1) {
            String sign = "";
            if (v < 0) {
                sign = "-";
                v = -v;
            }
            long whole = (long) v;
            long seconds = whole % 60;
            long minutes = (whole / 60) % 60;
            long hours = (whole / 60 / 60) % 24;
            long days = whole / 60 / 60 / 24;
            if (days != 0) {
                return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (hours != 0) {
                return sign + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (minutes != 0) {
                return sign + minutes + "m " + seconds + "s";
            }
            return sign + g4(v, "s");
        }
        String prefix = "";
        for (String p : SMALL) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return g4(v, prefix + "s");
    }
}
