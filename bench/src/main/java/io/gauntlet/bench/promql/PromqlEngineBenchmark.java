package io.gauntlet.bench.promql;

import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.tsdb.Labels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Range queries of 1,000 steps (15 s apart) over 10,000 series held in an {@link InMemoryQueryable}, scraped every
 * 15 s from 5 minutes before the first step (1,020 samples per series, ~10 M samples per selected metric). Each
 * {@code query} parameter gets its own fork and only loads the metrics it reads, so the heap holds one data set.
 * Time per query; add {@code -prof gc} for the bytes allocated per query ({@code gc.alloc.rate.norm}).
 * Run: {@code java -jar bench/target/gauntlet-bench.jar PromqlEngineBenchmark -f 1 -wi 1 -i 3 -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "--enable-native-access=ALL-UNNAMED"})
public class PromqlEngineBenchmark {
    private static final int SERIES = 10_000;
    private static final int STEPS = 1_000;
    private static final long STEP = 15_000L;
    private static final long SCRAPE = 15_000L;
    private static final long RATE_WINDOW = 300_000L;
    private static final int JOBS = 10;
    private static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};

    @Param({"rate", "sum_by_job_rate", "histogram_quantile", "join"})
    public String query;

    private final PromqlEngine engine = new PromqlEngine();
    private InMemoryQueryable storage;
    private Expr expr;
    private long start;
    private long end;

    @Setup(Level.Trial)
    public void load() {
        start = 1_800_000_000_000L + RATE_WINDOW;
        end = start + (STEPS - 1) * STEP;
        storage = new InMemoryQueryable();
        String text = switch (query) {
            case "rate" -> {
                counters("x", 1);
                yield "rate(x[5m])";
            }
            case "sum_by_job_rate" -> {
                counters("x", 1);
                yield "sum by (job) (rate(x[5m]))";
            }
            case "histogram_quantile" -> {
                buckets();
                yield "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))";
            }
            case "join" -> {
                counters("a", 1);
                counters("b", 7);
                yield "a / on(instance, job) b";
            }
            default -> throw new IllegalArgumentException("unknown query " + query);
        };
        expr = PromqlParser.parseExpr(text);
        // one query outside the measurement proves the data set gives the expected shape
        MatrixResult result = (MatrixResult) run().value();
        int expectedSeries = switch (query) {
            case "sum_by_job_rate" -> JOBS;
            case "histogram_quantile" -> 1;
            default -> SERIES;
        };
        if (result.series().size() != expectedSeries || result.series().get(0).size() != STEPS) {
            throw new IllegalStateException(query + ": got " + result.series().size() + " series of "
                    + result.series().get(0).size() + " points");
        }
    }

    @Benchmark
    public QueryResult rangeQuery() {
        return run();
    }

    private QueryResult run() {
        return engine.rangeQuery(storage, expr, start, end, STEP);
    }

    private long firstScrape() {
        return start - RATE_WINDOW;
    }

    /** 10,000 counters {job, instance} rising by a series-dependent amount, with a reset every ~500 scrapes. */
    private void counters(String metric, int salt) {
        int samples = (int) ((end - firstScrape()) / SCRAPE) + 1;
        for (int s = 0; s < SERIES; s++) {
            Labels labels = Labels.of(Labels.METRIC_NAME, metric, "job", "job-" + s % JOBS,
                    "instance", String.format("host-%05d:9100", s / JOBS));
            double value = 0;
            for (int i = 0; i < samples; i++) {
                value = (i + s * salt) % 500 == 0 ? 0 : value + 1 + (i * 31 + s * salt) % 17;
                storage.append(labels, firstScrape() + i * SCRAPE + (i * 7 + s) % 5, value);
            }
        }
    }

    /** 1,000 instances × 10 cumulative buckets {@code x_bucket{instance, job, le}}: 10,000 series. */
    private void buckets() {
        int samples = (int) ((end - firstScrape()) / SCRAPE) + 1;
        int instances = SERIES / LE.length;
        double[] cumulative = new double[LE.length];
        for (int h = 0; h < instances; h++) {
            Labels[] labels = new Labels[LE.length];
            for (int b = 0; b < LE.length; b++) {
                labels[b] = Labels.of(Labels.METRIC_NAME, "x_bucket", "job", "job-" + h % JOBS,
                        "instance", String.format("host-%05d:9100", h), "le", LE[b]);
            }
            java.util.Arrays.fill(cumulative, 0);
            for (int i = 0; i < samples; i++) {
                long t = firstScrape() + i * SCRAPE + (i * 7 + h) % 5;
                // each scrape observes a few requests; bucket b counts those at or below its bound
                int observations = 1 + (i * 13 + h) % 9;
                for (int o = 0; o < observations; o++) {
                    int bucket = (i * 17 + h * 5 + o * 3) % LE.length;
                    for (int b = bucket; b < LE.length; b++) {
                        cumulative[b]++;
                    }
                }
                for (int b = 0; b < LE.length; b++) {
                    storage.append(labels[b], t, cumulative[b]);
                }
            }
        }
    }
}
