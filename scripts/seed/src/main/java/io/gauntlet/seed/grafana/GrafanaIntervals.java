package io.gauntlet.seed.grafana;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grafana's interval arithmetic for a Prometheus data source (Grafana 9/10): the panel interval from the time range and
 * the panel's max data points, the query step, and the values of {@code $__interval}, {@code $__rate_interval},
 * {@code $__range} — so a dashboard runs here with the steps and windows Grafana would send.
 */
public final class GrafanaIntervals {
    /** Grafana's default scrape interval of a Prometheus data source whose "Scrape interval" is empty. */
    public static final long DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
    /** Grafana never asks Prometheus for more points than this in one range query. */
    static final long SAFE_RESOLUTION = 11_000;
    private static final Pattern INTERVAL = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d|w|y)");
    private static final long[][] ROUNDING = {
        {10, 1}, {15, 10}, {35, 20}, {75, 50}, {150, 100}, {350, 200}, {750, 500}, {1_500, 1_000}, {3_500, 2_000}, {7_500, 5_000},
        {12_500, 10_000}, {17_500, 15_000}, {25_000, 20_000}, {45_000, 30_000}, {90_000, 60_000}, {210_000, 120_000}, {450_000, 300_000},
        {900_000, 600_000}, {1_200_000, 900_000}, {2_700_000, 1_200_000}, {5_400_000, 1_800_000}, {9_000_000, 3_600_000},
        {16_200_000, 7_200_000}, {32_400_000, 10_800_000}, {86_400_000, 21_600_000}, {604_800_000, 86_400_000},
        {1_814_400_000, 604_800_000}};

    private GrafanaIntervals() {
    }

    /**
     * What one target of a panel sends.
     *
     * @param stepMs the range query's step
     * @param intervalMs {@code $__interval}
     * @param rateIntervalMs {@code $__rate_interval}
     * @param rangeMs the dashboard's time range
     * @param startMs the range query's start (aligned down to the step)
     * @param endMs the range query's end (aligned down to the step); an instant query runs at the unaligned end
     */
    public record Timing(long stepMs, long intervalMs, long rateIntervalMs, long rangeMs, long startMs, long endMs) {
    }

    /**
     * The timing of one target.
     *
     * @param fromMs the dashboard's time range start
     * @param toMs its end
     * @param maxDataPoints the panel's max data points (Grafana: its width in pixels unless set)
     * @param panelMinInterval the panel's "Min interval" (may be null)
     * @param targetInterval the target's own "Min step" (may be null)
     * @param intervalFactor the target's resolution factor (0 means 1)
     * @param scrapeInterval the data source's "Scrape interval" (may be null: 15 s for the rate interval, no lower limit)
     */
    public static Timing timing(long fromMs, long toMs, long maxDataPoints, String panelMinInterval, String targetInterval, int intervalFactor,
            String scrapeInterval) {
        long range = toMs - fromMs;
        // the browser's interval: range / max data points, rounded, no lower than the panel's or data source's minimum
        String lowLimit = blank(panelMinInterval) ? scrapeInterval : panelMinInterval;
        long browserInterval = round(range / Math.max(1, maxDataPoints));
        if (!blank(lowLimit)) {
            browserInterval = Math.max(browserInterval, parse(lowLimit));
        }
        boolean rateStep = "$__rate_interval".equals(targetInterval) || "${__rate_interval}".equals(targetInterval);
        String ownInterval = blank(targetInterval) || targetInterval.contains("$") ? null : targetInterval;
        // the server side: the target's own min step wins over the browser's interval
        long minInterval = ownInterval != null ? parse(ownInterval) : browserInterval;
        long calculated = range / Math.max(1, maxDataPoints) < minInterval ? minInterval : round(range / Math.max(1, maxDataPoints));
        long safe = round(range / SAFE_RESOLUTION);
        long adjusted = Math.max(calculated, safe);
        long scrape = blank(scrapeInterval) ? DEFAULT_SCRAPE_INTERVAL_MS : parse(scrapeInterval);
        long step = rateStep ? rateInterval(adjusted, scrape) : adjusted * Math.max(1, intervalFactor);
        long rate = rateStep ? step : rateInterval(step, scrape);
        return new Timing(step, step, rate, range, alignDown(fromMs, step), alignDown(toMs, step));
    }

    /** {@code $__rate_interval}: max(interval + scrape interval, 4 × scrape interval). */
    static long rateInterval(long intervalMs, long scrapeMs) {
        return Math.max(intervalMs + scrapeMs, 4 * scrapeMs);
    }

    /** Grafana rounds an interval to the nearest of its "nice" values (1 ms … 1 y). */
    static long round(long ms) {
        for (long[] step : ROUNDING) {
            if (ms <= step[0]) {
                return step[1];
            }
        }
        return ms < 3_628_800_000L ? 2_592_000_000L : 31_536_000_000L;
    }

    private static long alignDown(long ms, long stepMs) {
        long stepSeconds = Math.max(1, stepMs / 1000);
        return Math.floorDiv(ms / 1000, stepSeconds) * stepSeconds * 1000;
    }

    /** Grafana's interval text for {@code $__interval}: one unit, the largest that fits (1d, 2h, 5m, 30s, 500ms). */
    public static String formatInterval(long ms) {
        long[] units = {31_536_000_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] names = {"y", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms >= units[i]) {
                return ms / units[i] + names[i];
            }
        }
        return "1ms";
    }

    /** Go's {@code time.Duration.String()}, which Grafana's server uses for {@code $__rate_interval}: 1m15s, 4m0s, 1h0m0s, 500ms. */
    public static String goDuration(long ms) {
        if (ms < 1000) {
            return ms + "ms";
        }
        StringBuilder out = new StringBuilder();
        long hours = ms / 3_600_000L;
        long minutes = ms / 60_000L % 60;
        long millis = ms % 60_000L;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(millis / 1000);
        if (millis % 1000 != 0) {
            out.append('.').append(String.format(Locale.ROOT, "%03d", millis % 1000).replaceAll("0+$", ""));
        }
        return out.append('s').toString();
    }

    /** A Grafana interval ("15s", "1m", "500ms", "1h30m", a bare number of seconds), in milliseconds. */
    public static long parse(String text) {
        String value = text.trim().replace("<", "").replace(">", "");
        if (value.matches("\\d+")) {
            return Long.parseLong(value) * 1000;
        }
        Matcher matcher = INTERVAL.matcher(value);
        long total = 0;
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() != end) {
                break;
            }
            double number = Double.parseDouble(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                case "d" -> 86_400_000;
                case "w" -> 604_800_000;
                default -> 31_536_000_000L;
            };
            total += Math.round(number * unit);
            end = matcher.end();
        }
        if (end != value.length() || end == 0) {
            throw new IllegalArgumentException("not an interval: '" + text + "' (want e.g. 15s, 1m, 500ms)");
        }
        return total;
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
