package io.gauntlet.querier;

import io.gauntlet.query.PrometheusJson;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data every querier test reads: one set of series served both by a Gauntlet store and (as OpenMetrics through
 * promtool) by a real Prometheus, two HA replicas with different gaps, and the time ranges of a failing and a hanging
 * store. Deterministic, no randomness.
 */
final class TestData {
    /** Start of the parity data: 2023-11-14T22:13:20Z; two hours at 15 s. */
    static final long T0 = 1_700_000_000_000L;
    static final long PARITY_END = T0 + 2 * 3_600_000L;
    /** HA replicas: one day later, one hour. */
    static final long T_HA = T0 + 86_400_000L;
    static final long HA_END = T_HA + 3_600_000L;
    /** Ranges only the failing / hanging stores advertise. */
    static final long T_FAIL = T0 + 2 * 86_400_000L;
    static final long T_HANG = T0 + 3 * 86_400_000L;
    static final long STEP = 15_000;

    private TestData() {
    }

    record SeriesData(Labels labels, long[] timestamps, double[] values) {
    }

    /** Counters with resets, gauges, histogram buckets, a series with a gap, odd values. */
    static List<SeriesData> paritySeries() {
        List<SeriesData> out = new ArrayList<>();
        int n = (int) ((PARITY_END - T0) / STEP);
        for (int instance = 0; instance < 3; instance++) {
            for (String code : new String[] {"200", "500"}) {
                long[] ts = new long[n];
                double[] vs = new double[n];
                double total = 0;
                for (int i = 0; i < n; i++) {
                    ts[i] = T0 + i * STEP + instance * 1000L;
                    if (instance == 1 && code.equals("200") && i == n / 2) {
                        total = 0; // a counter reset
                    }
                    total += (code.equals("200") ? 3.5 : 0.25) * (1 + (i * 7 + instance) % 5);
                    vs[i] = total;
                }
                out.add(new SeriesData(Labels.of("__name__", "http_requests_total", "code", code, "instance", "i" + instance,
                        "job", "api"), ts, vs));
            }
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = T0 + i * STEP + instance * 500L;
                vs[i] = 40 + 10 * Math.sin(i / 20.0 + instance) + instance * 0.1;
            }
            out.add(new SeriesData(Labels.of("__name__", "node_temperature_celsius", "instance", "i" + instance, "job", "node"), ts, vs));
            String[] les = {"0.1", "0.5", "1", "+Inf"};
            double cumulative = 0;
            double[][] buckets = new double[les.length][n];
            for (int i = 0; i < n; i++) {
                cumulative += 1;
                for (int b = 0; b < les.length; b++) {
                    buckets[b][i] = Math.floor(cumulative * (b + 1) * (instance + 2) / 2.0);
                }
            }
            for (int b = 0; b < les.length; b++) {
                long[] bts = new long[n];
                for (int i = 0; i < n; i++) {
                    bts[i] = T0 + i * STEP;
                }
                out.add(new SeriesData(Labels.of("__name__", "request_duration_seconds_bucket", "instance", "i" + instance,
                        "job", "api", "le", les[b]), bts, buckets[b]));
            }
        }
        // a series with a 20 minute gap and tiny / huge values
        List<Long> ts = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i >= 100 && i < 180) {
                continue;
            }
            ts.add(T0 + i * STEP);
            vs.add(i % 3 == 0 ? 1e-9 * i : i % 3 == 1 ? 1e22 / (i + 1) : -i / 7.0);
        }
        out.add(new SeriesData(Labels.of("__name__", "gappy_values", "job", "edge"), ts.stream().mapToLong(Long::longValue).toArray(),
                vs.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    /** The benchmark's data: {@code instances} × 5 status codes of a counter and a gauge per instance, 2 h at 15 s. */
    static List<SeriesData> benchSeries(int instances) {
        List<SeriesData> out = new ArrayList<>();
        int n = (int) ((PARITY_END - T0) / STEP);
        for (int instance = 0; instance < instances; instance++) {
            for (int code = 0; code < 5; code++) {
                long[] ts = new long[n];
                double[] vs = new double[n];
                double total = 0;
                for (int i = 0; i < n; i++) {
                    ts[i] = T0 + i * STEP + (instance % 15) * 1000L;
                    total += 1 + (i * 7 + instance + code) % 11;
                    vs[i] = total;
                }
                out.add(new SeriesData(Labels.of("__name__", "http_requests_total", "code", String.valueOf(200 + code * 100),
                        "instance", "i" + instance, "job", "job" + instance % 10), ts, vs));
            }
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = T0 + i * STEP + (instance % 15) * 1000L;
                vs[i] = 40 + 10 * Math.sin(i / 20.0 + instance) + instance * 0.1;
            }
            out.add(new SeriesData(Labels.of("__name__", "node_temperature_celsius", "instance", "i" + instance,
                    "job", "job" + instance % 10), ts, vs));
        }
        return out;
    }

    /** Start of the benchmark's node_exporter-like day (the day before the bench data, so the two never overlap). */
    static final long DAY_START = T0 - 86_400_000L;

    /**
     * A day of node_exporter-like data scraped every 15 s, for the benchmark's heavy day-long range queries: per instance
     * 4 CPUs × 4 modes of {@code node_cpu_seconds_total} (in hundredths, as node_exporter reads /proc/stat), two
     * network byte counters near 1e11 and 1e6, and a load gauge (19 series per instance). Arithmetic jitter, no randomness.
     */
    static List<SeriesData> nodeExporterDay(int instances) {
        List<SeriesData> out = new ArrayList<>();
        int n = (int) (86_400_000L / STEP);
        List<String> modes = List.of("idle", "iowait", "system", "user");
        for (int instance = 0; instance < instances; instance++) {
            String name = "10.0." + instance / 250 + "." + (instance % 250 + 1) + ":9100";
            long offset = 500L + (instance * 1_237L) % 15_000L;
            for (int cpu = 0; cpu < 4; cpu++) {
                for (int m = 0; m < modes.size(); m++) {
                    long[] ts = new long[n];
                    double[] vs = new double[n];
                    long hundredths = m == 0 ? 40_000_000L + instance * 10_007L : 100_000L * (m + cpu);
                    for (int i = 0; i < n; i++) {
                        ts[i] = DAY_START + offset + i * STEP + (i * 13 + instance) % 23;
                        long busy = (i * 31L + cpu * 7L + m * 3L + instance) % (m == 3 ? 700 : 120);
                        hundredths += m == 0 ? 1_500 - busy : busy;
                        vs[i] = hundredths / 100.0;
                    }
                    out.add(new SeriesData(Labels.of("__name__", "node_cpu_seconds_total", "cpu", String.valueOf(cpu),
                            "instance", name, "job", "node", "mode", modes.get(m)), ts, vs));
                }
            }
            for (String device : List.of("eth0", "lo")) {
                long[] ts = new long[n];
                double[] vs = new double[n];
                double bytes = device.equals("eth0") ? 1e11 + instance * 104_729.0 : 1e6 + instance;
                for (int i = 0; i < n; i++) {
                    ts[i] = DAY_START + offset + i * STEP + (i * 17 + instance) % 19;
                    bytes += device.equals("eth0") ? 1_000_000 + (i * 7_919L + instance) % 4_000_000 : (i * 37L + instance) % 40_000;
                    vs[i] = bytes;
                }
                out.add(new SeriesData(Labels.of("__name__", "node_network_receive_bytes_total", "device", device,
                        "instance", name, "job", "node"), ts, vs));
            }
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = DAY_START + offset + i * STEP + (i * 11 + instance) % 29;
                vs[i] = Math.round((1 + Math.sin(i / 240.0 + instance) + ((i * 7 + instance) % 13) / 26.0) * 100) / 100.0;
            }
            out.add(new SeriesData(Labels.of("__name__", "node_load1", "instance", name, "job", "node"), ts, vs));
        }
        return out;
    }

    static MemoryChunkSource source(List<SeriesData> data) {
        MemoryChunkSource source = new MemoryChunkSource("sidecar", Labels.EMPTY);
        for (SeriesData series : data) {
            source.add(series.labels(), series.timestamps(), series.values());
        }
        return source;
    }

    static MemoryChunkSource paritySource() {
        MemoryChunkSource source = new MemoryChunkSource("sidecar", Labels.EMPTY);
        for (SeriesData series : paritySeries()) {
            source.add(series.labels(), series.timestamps(), series.values());
        }
        return source;
    }

    /** The parity data as OpenMetrics text for promtool tsdb create-blocks-from openmetrics. */
    static String parityOpenMetrics() {
        return openMetrics(paritySeries());
    }

    static String openMetrics(List<SeriesData> data) {
        Map<String, List<SeriesData>> families = new LinkedHashMap<>();
        for (SeriesData series : data) {
            families.computeIfAbsent(series.labels().get("__name__"), k -> new ArrayList<>()).add(series);
        }
        StringBuilder out = new StringBuilder();
        for (var family : families.entrySet()) {
            for (SeriesData series : family.getValue()) {
                StringBuilder name = new StringBuilder(family.getKey()).append('{');
                boolean first = true;
                for (int i = 0; i < series.labels().size(); i++) {
                    if (series.labels().name(i).equals("__name__")) {
                        continue;
                    }
                    name.append(first ? "" : ",").append(series.labels().name(i)).append("=\"").append(series.labels().value(i)).append('"');
                    first = false;
                }
                name.append('}');
                for (int i = 0; i < series.timestamps().length; i++) {
                    out.append(name).append(' ').append(PrometheusJson.plainFloat(series.values()[i])).append(' ');
                    StringBuilder t = new StringBuilder();
                    PrometheusJson.writeTimestamp(t, series.timestamps()[i]);
                    out.append(t).append('\n');
                }
            }
        }
        return out.append("# EOF\n").toString();
    }

    /**
     * One replica of the HA pair: a sample every 15 s over an hour, values of a counter that both replicas scrape
     * (replica 2 scrapes 3 s later), each with its own 10 minute gap.
     */
    static MemoryChunkSource haReplica(String replica) {
        MemoryChunkSource source = new MemoryChunkSource("sidecar", Labels.of("cluster", "ha", "replica", replica));
        boolean second = replica.equals("r2");
        long offset = second ? 3000 : 0;
        long gapFrom = T_HA + (second ? 35 : 10) * 60_000L;
        long gapTo = gapFrom + 10 * 60_000L;
        List<Long> ts = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        for (long t = T_HA + offset; t <= HA_END; t += STEP) {
            if (t >= gapFrom && t < gapTo) {
                continue;
            }
            ts.add(t);
            vs.add((t - T_HA) / 1000.0);
        }
        return source.add(Labels.of("__name__", "ha_metric", "job", "ha"), ts.stream().mapToLong(Long::longValue).toArray(),
                vs.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
