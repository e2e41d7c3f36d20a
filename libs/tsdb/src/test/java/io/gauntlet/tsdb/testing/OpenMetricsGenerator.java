package io.gauntlet.tsdb.testing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes OpenMetrics text (the input of {@code promtool tsdb create-blocks-from openmetrics}) with a fixed seed:
 * node_exporter-like counters, gauges and classic histograms over many series, irregular scrape intervals (jitter,
 * missed scrapes, 1 s bursts), and awkward values (huge, tiny, negative, -0, NaN, ±Inf, counter resets). Each series'
 * samples are written in time order; timestamps are seconds with millisecond decimals.
 */
public final class OpenMetricsGenerator {
    private static final String[] MODES = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    private static final String[] BUCKETS = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};

    private final long seed;
    private final int counterSeries;
    private final int gaugeSeries;
    private final int histogramSeries;
    private final long startMillis;
    private final long durationMillis;
    private final long intervalMillis;

    /** What was written. */
    public record Summary(int series, long samples) {
    }

    /**
     * @param histogramSeries number of histograms; each contributes 12 bucket series plus _sum and _count
     * @param intervalMillis  the mean scrape interval (the irregularity is added around it)
     */
    public OpenMetricsGenerator(long seed, int counterSeries, int gaugeSeries, int histogramSeries, long startMillis,
            long durationMillis, long intervalMillis) {
        if (intervalMillis < 2_000) {
            throw new IllegalArgumentException("interval must be at least 2 s so that bursts stay distinct");
        }
        this.seed = seed;
        this.counterSeries = counterSeries;
        this.gaugeSeries = gaugeSeries;
        this.histogramSeries = histogramSeries;
        this.startMillis = startMillis;
        this.durationMillis = durationMillis;
        this.intervalMillis = intervalMillis;
    }

    public Summary write(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            return write(out);
        }
    }

    public Summary write(Writer out) throws IOException {
        Random random = new Random(seed);
        long samples = 0;
        int series = 0;
        out.write("# HELP node_cpu_seconds Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds counter\n");
        for (int i = 0; i < counterSeries; i++, series++) {
            String labels = "{cpu=\"" + (i / MODES.length) % 64 + "\",instance=\"host-" + i / (MODES.length * 64) + ":9100\",job=\"node\",mode=\""
                    + MODES[i % MODES.length] + "\"}";
            samples += writeCounter(out, "node_cpu_seconds_total" + labels, random);
        }
        out.write("# HELP node_memory_free_bytes Free memory.\n# TYPE node_memory_free_bytes gauge\n");
        for (int i = 0; i < gaugeSeries; i++, series++) {
            samples += writeGauge(out, "node_memory_free_bytes{instance=\"host-" + i + ":9100\",job=\"node\"}", random);
        }
        out.write("# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n");
        for (int i = 0; i < histogramSeries; i++) {
            String instance = "instance=\"web-" + i + ":8080\",job=\"web\"";
            long[] timestamps = timestamps(random);
            long seriesSeed = random.nextLong();
            for (int b = 0; b < BUCKETS.length; b++, series++) {
                samples += writeHistogramPart(out, "http_request_duration_seconds_bucket{" + instance + ",le=\"" + BUCKETS[b] + "\"}",
                        timestamps, new Random(seriesSeed), b + 1, false);
            }
            samples += writeHistogramPart(out, "http_request_duration_seconds_count{" + instance + "}", timestamps,
                    new Random(seriesSeed), BUCKETS.length, false);
            samples += writeHistogramPart(out, "http_request_duration_seconds_sum{" + instance + "}", timestamps,
                    new Random(seriesSeed), BUCKETS.length, true);
            series += 2;
        }
        out.write("# EOF\n");
        return new Summary(series, samples);
    }

    private long writeCounter(Writer out, String series, Random random) throws IOException {
        long[] timestamps = timestamps(random);
        double value = random.nextInt(4) == 0 ? 1e15 * random.nextDouble() : random.nextInt(1000);
        double rate = random.nextInt(3) == 0 ? random.nextInt(5) : random.nextDouble() * 10;
        for (long t : timestamps) {
            if (random.nextInt(500) == 0) {
                value = 0; // counter reset (restart)
            } else {
                value += rate * random.nextDouble() * intervalMillis / 1000.0;
            }
            line(out, series, value, t);
        }
        return timestamps.length;
    }

    private long writeGauge(Writer out, String series, Random random) throws IOException {
        long[] timestamps = timestamps(random);
        double value = 8e9 * random.nextDouble();
        for (long t : timestamps) {
            double written;
            switch (random.nextInt(200)) {
                case 0 -> written = Double.NaN;
                case 1 -> written = Double.POSITIVE_INFINITY;
                case 2 -> written = Double.NEGATIVE_INFINITY;
                case 3 -> written = -0.0;
                case 4 -> written = 4.9e-300 * random.nextDouble();
                case 5 -> written = -1.7e308 * random.nextDouble();
                case 6 -> written = -random.nextInt(100);
                default -> {
                    value += (random.nextDouble() - 0.5) * 1e7;
                    written = random.nextInt(3) == 0 ? Math.rint(value / 4096) * 4096 : value;
                }
            }
            line(out, series, written, t);
        }
        return timestamps.length;
    }

    private long writeHistogramPart(Writer out, String series, long[] timestamps, Random random, int bucketsBelow,
            boolean sum) throws IOException {
        double count = 0;
        double total = 0;
        for (long t : timestamps) {
            int requests = random.nextInt(50);
            count += requests * bucketsBelow / (double) BUCKETS.length;
            total += requests * 0.137 * random.nextDouble();
            line(out, series, sum ? total : Math.floor(count), t);
        }
        return timestamps.length;
    }

    /** Scrape times of one series: jittered interval, occasional missed scrapes and 1 s bursts. */
    private long[] timestamps(Random random) {
        long[] times = new long[16];
        int n = 0;
        long end = startMillis + durationMillis;
        long t = startMillis + Math.floorMod(random.nextLong(), intervalMillis);
        int burst = 0;
        while (t < end) {
            if (n == times.length) {
                times = java.util.Arrays.copyOf(times, n * 2);
            }
            times[n++] = t;
            if (burst > 0) {
                burst--;
                t += 1000;
                continue;
            }
            int roll = random.nextInt(1000);
            if (roll < 10) {
                t += intervalMillis * (2 + random.nextInt(40)); // missed scrapes
            } else if (roll < 13) {
                burst = 30 + random.nextInt(300); // scraped every second for a while
                t += 1000;
            } else {
                t += intervalMillis + random.nextInt(201) - 100;
            }
        }
        return java.util.Arrays.copyOf(times, n);
    }

    private static void line(Writer out, String series, double value, long millis) throws IOException {
        out.write(series);
        out.write(' ');
        out.write(formatValue(value));
        out.write(' ');
        out.write(formatSeconds(millis));
        out.write('\n');
    }

    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    /** Seconds with millisecond decimals, the way OpenMetrics timestamps are written. */
    public static String formatSeconds(long millis) {
        long seconds = Math.floorDiv(millis, 1000);
        long fraction = Math.floorMod(millis, 1000);
        return fraction == 0 ? Long.toString(seconds) : seconds + "." + String.format("%03d", fraction);
    }

    /** The millisecond timestamp promtool derives from an OpenMetrics timestamp ({@code int64(seconds * 1000)}). */
    public static long promtoolMillis(String seconds) {
        return (long) (Double.parseDouble(seconds) * 1000);
    }
}
