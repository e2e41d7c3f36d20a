package io.gauntlet.seed;

import static io.gauntlet.seed.Processes.constant;
import static io.gauntlet.seed.Processes.counter;
import static io.gauntlet.seed.Processes.daily;
import static io.gauntlet.seed.Processes.gauge;
import static io.gauntlet.seed.Processes.noise;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Series shaped like the PromLabs demo service's (job {@code demo}, instances {@code demo.promlabs.com:10000…}), the
 * names and labels the public PromQL compliance tester's queries select: {@code demo_cpu_usage_seconds_total{mode}},
 * {@code demo_memory_usage_bytes{type}}, {@code demo_num_cpus}, {@code demo_disk_usage_bytes},
 * {@code demo_batch_last_success_timestamp_seconds}, {@code demo_intermittent_metric} and the classic histogram
 * {@code demo_api_request_duration_seconds{method,path,status}}. The values are synthetic, not the service's own.
 */
public final class DemoProfile implements Profile {
    /** Bucket bounds (s) of the request duration histogram, fine-grained where the demo's latencies are. */
    static final double[] BUCKETS = {0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.0007, 0.001, 0.0015, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public int defaultInstances() {
        return 3;
    }

    @Override
    public long defaultScrapeInterval() {
        return 15_000L;
    }

    @Override
    public List<SyntheticSeries> series(int instances, long start, long end, long scrapeInterval, long seed) {
        List<SyntheticSeries> out = new ArrayList<>();
        for (int n = 0; n < instances; n++) {
            SplittableRandom random = new SplittableRandom(seed * 104_729 + n);
            Map<String, String> target = new LinkedHashMap<>();
            target.put("instance", "demo.promlabs.com:" + (10000 + n));
            target.put("job", "demo");
            Target process = Target.rebooting(random, start, end, 1, scrapeInterval);
            SeriesBuilder series = new SeriesBuilder(out, target, process, seed * 1_000_003 + n, Long.MIN_VALUE, Long.MAX_VALUE);
            int cpus = 4;
            series.gauge("demo_num_cpus", constant(cpus));
            double busy = 0.2 + 0.3 * random.nextDouble();
            for (String mode : new String[] {"idle", "system", "user"}) {
                double share = switch (mode) {
                    case "user" -> busy * 0.75;
                    case "system" -> busy * 0.25;
                    default -> 1 - busy;
                };
                // whole milliseconds of CPU time
                series.counter("demo_cpu_usage_seconds_total", counter(process, series.seed("cpu", mode), t -> 1000 * cpus * share
                        * (mode.equals("idle") ? 1 : 1 + 0.5 * daily(t, 0.1)), 0.1, 1, 1000), "mode", mode);
            }
            double total = 16e9;
            series.gauge("demo_memory_usage_bytes", gauge(series.seed("buffers"), total * 0.03, 0.1, 0.05, 1, 0, total), "type", "buffers");
            series.gauge("demo_memory_usage_bytes", gauge(series.seed("cached"), total * 0.3, 0.2, 0.05, 1, 0, total), "type", "cached");
            series.gauge("demo_memory_usage_bytes", gauge(series.seed("free"), total * 0.2, 0.4, 0.05, 1, 0, total), "type", "free");
            series.gauge("demo_memory_usage_bytes", gauge(series.seed("used"), total * 0.47, 0.15, 0.05, 1, 0, total), "type", "used");
            series.gauge("demo_disk_total_bytes", constant(1e11));
            long diskSeed = series.seed("disk");
            // the disk fills up and is cleaned every few days
            series.gauge("demo_disk_usage_bytes", Processes.of(t -> Math.round(3e10 + 5e10 * (Math.floorMod(t + diskSeed, 4 * Processes.DAY)
                    / (4.0 * Processes.DAY)))));
            // a batch job that runs every 10 minutes and fails now and then
            long batchSeed = series.seed("batch");
            series.gauge("demo_batch_last_success_timestamp_seconds", Processes.of(t -> {
                long run = Math.floorDiv(t, 600_000L);
                while (noise(batchSeed, run) < 0.1) {
                    run--;
                }
                return run * 600.0 + 1.5;
            }));
            series.gauge("demo_batch_last_run_duration_seconds", Processes.of(t -> 1 + Math.round(noise(batchSeed + 1, t / 600_000L) * 9000) / 1000.0));
            series.gauge("demo_batch_last_run_processed_bytes", Processes.of(t -> Math.round(1e6 + noise(batchSeed + 2, t / 600_000L) * 1e7)));
            // present for 5 minutes out of every 15 (so selectors over it have gaps and staleness)
            series.gauge("demo_intermittent_metric", new SyntheticSeries.ValueProcess() {
                @Override
                public double next(long t) {
                    return 1;
                }

                @Override
                public boolean present(long t) {
                    return Math.floorMod(t, 900_000L) < 300_000L;
                }
            });
            requests(series, random);
        }
        return out;
    }

    /**
     * The request histogram: per (method, path, status) two latency populations, fast and slow, whose volumes follow
     * the day with different phases — so quantiles move through the day while every bucket stays cumulative (a larger
     * bound never counts fewer) and never decreases.
     */
    private static void requests(SeriesBuilder series, SplittableRandom random) {
        String[][] routes = {{"GET", "/api/foo"}, {"POST", "/api/foo"}, {"GET", "/api/bar"}, {"POST", "/api/bar"}, {"GET", "/api/baz"}, {"GET", "/api/nonexistent"}};
        for (String[] route : routes) {
            for (String status : route[1].equals("/api/nonexistent") ? new String[] {"404"} : new String[] {"200", "500"}) {
                double volume = (status.equals("200") ? 20 : status.equals("404") ? 2 : 0.4) * (0.5 + random.nextDouble());
                double fastMedian = 0.0002 + 0.0003 * random.nextDouble();
                double slowMedian = 0.01 + 0.2 * random.nextDouble();
                double phase = random.nextDouble();
                double[] fast = cumulative(fastMedian);
                double[] slow = cumulative(slowMedian);
                // requests since an epoch, closed form so that every bucket series can compute it alone at any time
                java.util.function.LongToDoubleFunction fastCount = t -> volume * 0.9 * requestsSince(t, phase);
                java.util.function.LongToDoubleFunction slowCount = t -> volume * 0.1 * requestsSince(t, phase + 0.3);
                String[] labels = {"method", route[0], "path", route[1], "status", status};
                for (int b = 0; b <= BUCKETS.length; b++) {
                    int i = b;
                    String le = b == BUCKETS.length ? "+Inf" : new java.math.BigDecimal(Double.toString(BUCKETS[b])).stripTrailingZeros().toPlainString();
                    String[] withLe = java.util.Arrays.copyOf(labels, labels.length + 2);
                    withLe[labels.length] = "le";
                    withLe[labels.length + 1] = le;
                    series.add("demo_api_request_duration_seconds", "histogram", "demo_api_request_duration_seconds_bucket",
                            Processes.of(t -> Math.floor(fastCount.applyAsDouble(t) * (i == BUCKETS.length ? 1 : fast[i])
                                    + slowCount.applyAsDouble(t) * (i == BUCKETS.length ? 1 : slow[i]))), withLe);
                }
                series.add("demo_api_request_duration_seconds", "histogram", "demo_api_request_duration_seconds_count",
                        Processes.of(t -> Math.floor(fastCount.applyAsDouble(t) + slowCount.applyAsDouble(t))), labels);
                series.add("demo_api_request_duration_seconds", "histogram", "demo_api_request_duration_seconds_sum",
                        Processes.of(t -> fastCount.applyAsDouble(t) * fastMedian * 1.1 + slowCount.applyAsDouble(t) * slowMedian * 1.3), labels);
            }
        }
    }

    /** Requests per unit of volume since 2020-01-01: the integral of {@code 1 + 0.5 sin(day + phase)} per second. */
    private static double requestsSince(long t, double phase) {
        double seconds = (t - 1_577_836_800_000L) / 1000.0;
        double day = Processes.DAY / 1000.0;
        double angle = 2 * Math.PI * (seconds / day + phase);
        return seconds - 0.5 * day / (2 * Math.PI) * (Math.cos(angle) - Math.cos(2 * Math.PI * phase));
    }

    /** The fraction of a log-normal population with this median (σ = 0.6) at or below each bucket bound. */
    private static double[] cumulative(double median) {
        double[] out = new double[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            double z = Math.log(BUCKETS[i] / median) / 0.6;
            out[i] = 0.5 * (1 + erf(z / Math.sqrt(2)));
        }
        return out;
    }

    /** Abramowitz–Stegun 7.1.26, enough for bucket shares. */
    private static double erf(double x) {
        double sign = Math.signum(x);
        x = Math.abs(x);
        double t = 1 / (1 + 0.3275911 * x);
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
        return sign * y;
    }
}
