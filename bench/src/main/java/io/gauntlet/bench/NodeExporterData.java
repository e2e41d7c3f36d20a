package io.gauntlet.bench;

import java.util.Random;

/**
 * Series shaped like node_exporter scrapes at 15 s (with the few milliseconds of jitter real scrapes have): CPU
 * seconds and network byte counters, memory and filesystem gauges that move in pages or not at all, load averages
 * with two decimals, constant sizes and error counters that rarely move. Fixed seed, so every run measures the same data.
 */
final class NodeExporterData {
    static final long SCRAPE_INTERVAL = 15_000;

    /** One series' samples. */
    record Series(String name, boolean counter, long[] timestamps, double[] values) {
    }

    private NodeExporterData() {
    }

    static Series[] generate(int seriesCount, int samplesPerSeries, long startMillis, long seed) {
        Random random = new Random(seed);
        Series[] series = new Series[seriesCount];
        for (int s = 0; s < seriesCount; s++) {
            long[] timestamps = new long[samplesPerSeries];
            double[] values = new double[samplesPerSeries];
            long t = startMillis + random.nextInt((int) SCRAPE_INTERVAL);
            int kind = s % 8;
            double value = switch (kind) {
                case 0 -> Math.round(random.nextDouble() * 1e7) / 100.0; // node_cpu_seconds_total
                case 1 -> (double) random.nextInt(1 << 30); // node_network_receive_bytes_total
                case 2 -> 4096.0 * random.nextInt(4_000_000); // node_memory_MemAvailable_bytes
                case 3 -> 4096.0 * random.nextInt(100_000_000); // node_filesystem_avail_bytes
                case 4 -> Math.round(random.nextDouble() * 400) / 100.0; // node_load1
                case 5 -> (double) random.nextInt(500); // node_procs_running-like small integers
                case 6 -> 4096.0 * random.nextInt(100_000_000); // node_filesystem_size_bytes: constant
                default -> (double) random.nextInt(10); // node_network_receive_errs_total: rarely moves
            };
            for (int i = 0; i < samplesPerSeries; i++) {
                timestamps[i] = t;
                t += SCRAPE_INTERVAL + random.nextInt(5) - 2;
                value = switch (kind) {
                    case 0 -> Math.round((value + random.nextDouble() * 15) * 100) / 100.0;
                    case 1 -> value + random.nextInt(200_000);
                    case 2 -> value + 4096.0 * (random.nextInt(2001) - 1000);
                    case 3 -> random.nextInt(20) == 0 ? value - 4096.0 * random.nextInt(1000) : value;
                    case 4 -> Math.max(0, Math.round((value + random.nextGaussian() * 0.1) * 100) / 100.0);
                    case 5 -> Math.max(0, value + random.nextInt(11) - 5);
                    case 6 -> value;
                    default -> random.nextInt(200) == 0 ? value + 1 : value;
                };
                values[i] = value;
            }
            String name = switch (kind) {
                case 0 -> "node_cpu_seconds_total";
                case 1 -> "node_network_receive_bytes_total";
                case 2 -> "node_memory_MemAvailable_bytes";
                case 3 -> "node_filesystem_avail_bytes";
                case 4 -> "node_load1";
                case 5 -> "node_procs_running";
                case 6 -> "node_filesystem_size_bytes";
                default -> "node_network_receive_errs_total";
            };
            series[s] = new Series(name, kind < 2 || kind == 7, timestamps, values);
        }
        return series;
    }
}
