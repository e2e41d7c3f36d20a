package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.query.testing.ApiAnswers;
import io.gauntlet.query.testing.NativeHistogramWorkload;
import io.gauntlet.query.testing.PrometheusReference;
import io.gauntlet.tsdb.chunks.ChunkDecoders;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromQL over native histograms against the real Prometheus 2.42: the same samples (counter and gauge histograms with
 * resets, schema changes, negative and zero buckets, a staleness marker, a series turning from floats into histograms,
 * classic buckets beside them) are remote-written to Prometheus and held in memory for Gauntlet's engine; every query,
 * instant at several times and as a range query, must give the same HTTP API JSON, byte for byte. This pins 2.42's
 * semantics, bugs included: outside sum and rate/increase/delta a histogram sample is seen as the float 0 beside it
 * (avg, max, topk, irate, *_over_time), {@code h * 2} keeps the histogram unchanged, {@code h - h} is 0, and a float
 * matched with a histogram gives nothing.
 */
class NativeHistogramPromqlParityTest {
    private static final String S = "http_request_duration_seconds";
    private static final List<String> QUERIES = List.of(
            S, S + "{job=\"api\"}", S + " offset 5m", S + " @ 1700001000", "queue_size_histogram", "mixed_metric",
            "edge_histogram",
            // range functions
            "rate(" + S + "[1m])", "rate(" + S + "[5m])", "increase(" + S + "[2m])", "delta(" + S + "[1m])",
            "irate(" + S + "[1m])", "idelta(" + S + "[1m])", "rate(" + S + "[5m] offset 2m)",
            "rate(queue_size_histogram[1m])", "delta(queue_size_histogram[2m])", "rate(mixed_metric[1m])",
            "increase(mixed_metric[5m])", "rate(edge_histogram[2m])",
            "sum_over_time(" + S + "[1m])", "avg_over_time(" + S + "[1m])", "count_over_time(" + S + "[2m])",
            "last_over_time(" + S + "[1m])", "max_over_time(" + S + "[1m])", "changes(" + S + "[5m])",
            "resets(" + S + "[5m])", "deriv(" + S + "[5m])", "present_over_time(" + S + "[1m])",
            "absent_over_time(" + S + "{job=\"web\",instance=\"b\"}[1m])", "quantile_over_time(0.5, " + S + "[1m])",
            "count_over_time(mixed_metric[5m])", "sum_over_time(mixed_metric[2m])",
            // subqueries
            "rate(" + S + "[5m:30s])", "sum_over_time(" + S + "[2m:1m])", "max_over_time(histogram_count(" + S + ")[5m:1m])",
            "rate(sum(" + S + ")[5m:])", "histogram_quantile(0.9, rate(" + S + "{job=\"api\"}[5m:1m]))",
            // aggregations
            "sum(" + S + ")", "sum by (job) (" + S + ")", "sum by (job) (rate(" + S + "[5m]))", "sum without (instance) (rate(" + S + "[2m]))",
            "avg(" + S + ")", "count by (job) (" + S + ")", "min(" + S + ")", "max by (job) (" + S + ")", "topk(2, " + S + ")",
            "bottomk(1, " + S + ")", "quantile(0.5, " + S + ")", "stddev(" + S + ")", "group by (job) (" + S + ")",
            "count_values(\"v\", " + S + ")", "sum({__name__=~\"mixed_metric|" + S + "\"})", "sum(rate(" + S + "[1m]))",
            "sum by (job) ({__name__=~\"" + S + "|" + S + "_count\"})",
            "sum({__name__=~\"queue_size_histogram|edge_histogram|" + S + "\"})",
            "sum by (instance) (rate({__name__=~\"queue_size_histogram|" + S + "\"}[3m]))",
            "queue_size_histogram + on (job, instance) " + S, S + " + on (job, instance) queue_size_histogram",
            // arithmetic
            S + " * 2", "2 * " + S, S + " / 2", S + " + 1", "-" + S, S + " > 0.5", S + " == bool 0", S + " + " + S,
            S + " - " + S, S + " * " + S, S + " + on (job, instance) " + S,
            "sum by (job) (" + S + ") + on (job) sum by (job) (rate(" + S + "[5m]))",
            S + " * on (instance) group_left " + S + "{job=\"api\"}", S + " + on (instance) " + S + "_count",
            S + " > bool on (instance) " + S + "_count", "(" + S + " + 1) > 0.5", "rate(" + S + "[5m]) * 60",
            S + " and " + S + "{job=\"api\"}", S + " or " + S + "_count", S + " unless " + S + "{job=\"web\"}",
            // histogram functions
            "histogram_count(" + S + ")", "histogram_sum(" + S + ")", "histogram_count(rate(" + S + "[5m]))",
            "histogram_sum(rate(" + S + "[5m])) / histogram_count(rate(" + S + "[5m]))",
            "histogram_fraction(0, 0.1, " + S + ")", "histogram_fraction(-1, 1, rate(" + S + "[5m]))",
            "histogram_fraction(-Inf, 0.05, sum(rate(" + S + "[5m])))", "histogram_fraction(0.0012, +Inf, edge_histogram)",
            "histogram_fraction(-0.02, 0.001, edge_histogram)", "histogram_count(" + S + "_count)",
            "histogram_quantile(0.9, " + S + ")", "histogram_quantile(0.5, rate(" + S + "[5m]))",
            "histogram_quantile(0.99, sum by (job) (rate(" + S + "[5m])))", "histogram_quantile(0, " + S + ")",
            "histogram_quantile(1, " + S + ")", "histogram_quantile(-1, " + S + ")", "histogram_quantile(0.2, edge_histogram)",
            "histogram_quantile(0.6, edge_histogram)", "histogram_quantile(0.5, queue_size_histogram)",
            "histogram_quantile(0.9, " + S + "_bucket)",
            "histogram_quantile(0.9, sum by (le, job) (rate(" + S + "_bucket[5m])))",
            "histogram_quantile(0.9, sum(rate(" + S + "[5m])) or sum by (le) (rate(" + S + "_bucket[5m])))",
            "histogram_quantile(0.9, sum by (job) (rate(" + S + "[5m])) or sum by (le, job) (rate(" + S + "_bucket[5m])))",
            // other functions
            "abs(" + S + ")", "sort(" + S + ")", "sort_desc(rate(" + S + "[5m]))", "timestamp(" + S + ")",
            "label_replace(" + S + ", \"x\", \"$1\", \"job\", \"(.*)\")", "scalar(" + S + "{job=\"api\",instance=\"a\"})",
            "absent(" + S + ")", "vector(1) + " + S, "clamp_max(" + S + ", 1)", "day_of_month(" + S + ")");
    private static final List<String> RANGE_QUERIES = List.of(
            S, "rate(" + S + "[1m])", "increase(" + S + "[5m])", "sum by (job) (rate(" + S + "[5m]))", "mixed_metric",
            "rate(mixed_metric[2m])", "histogram_quantile(0.9, rate(" + S + "[2m]))", "histogram_count(" + S + ")",
            S + " @ 1700001000", "rate(" + S + "[5m] @ 1700001600)", "sum(" + S + " offset 3m)", S + " + " + S,
            "histogram_fraction(0, 0.25, sum(rate(" + S + "[2m])))", "irate(" + S + "[1m])", "count(" + S + ")",
            "rate(" + S + "[2m:30s])", "queue_size_histogram", "edge_histogram", "delta(edge_histogram[3m])");

    @TempDir
    static Path directory;
    private static PrometheusReference prometheus;
    private static final InMemoryQueryable STORAGE = new InMemoryQueryable();
    private static final NativeHistogramWorkload WORKLOAD = new NativeHistogramWorkload(240);
    private final PromqlEngine engine = new PromqlEngine();

    @BeforeAll
    static void load() throws Exception {
        prometheus = PrometheusReference.start(directory, "global: {scrape_interval: 1h}\n", "--query.lookback-delta=5m");
        prometheus.write(WORKLOAD.writeRequest());
        for (NativeHistogramWorkload.SeriesData series : WORKLOAD.series()) {
            // through chunks cut as Prometheus' head cuts them: a chunk's samples share its (widest) bucket layout
            HistogramChunkCutter cutter = new HistogramChunkCutter(7_200_000, (encoding, minTime, maxTime, samples, data) -> {
                try {
                    SampleIterator iterator = new ChunkDecoders().open(encoding.code(), data);
                    while (iterator.next()) {
                        if (iterator.sampleType().isHistogram()) {
                            STORAGE.appendHistogram(series.labels(), iterator.timestamp(), iterator.floatHistogram().copy());
                        } else {
                            STORAGE.append(series.labels(), iterator.timestamp(), iterator.value());
                        }
                    }
                } catch (StorageException e) {
                    throw new IOException(e);
                }
            });
            for (NativeHistogramWorkload.Point point : series.points()) {
                if (point.histogram() == null) {
                    cutter.appendFloat(point.timestamp(), point.value());
                } else {
                    cutter.appendHistogram(point.timestamp(), point.histogram());
                }
            }
            cutter.finish();
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private String gauntletInstant(String query, long timeMillis) {
        try {
            QueryResult result = engine.instantQuery(STORAGE, query, timeMillis);
            return PrometheusJson.success(PrometheusJson.queryData(result.value()), result.warnings());
        } catch (PromqlException e) {
            return PrometheusJson.error(e.type().apiName(), e.getMessage(), List.of());
        }
    }

    private String gauntletRange(String query, long start, long end, long step) {
        try {
            QueryResult result = engine.rangeQuery(STORAGE, query, start, end, step);
            return PrometheusJson.success(PrometheusJson.queryData(result.value()), result.warnings());
        } catch (PromqlException e) {
            return PrometheusJson.error(e.type().apiName(), e.getMessage(), List.of());
        }
    }

    @Test
    void instantQueriesAnswerAsPrometheus() throws Exception {
        long start = WORKLOAD.start();
        long[] times = {start + 300_000, start + 1_230_000, 1_700_001_000_000L, 1_700_001_010_000L, 1_700_001_600_000L,
            WORKLOAD.end(), WORKLOAD.end() + 200_000};
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (String query : QUERIES) {
            for (long time : times) {
                String expected = prometheus.post("/api/v1/query", "query", query, "time", ApiAnswers.seconds(time));
                String actual = gauntletInstant(query, time);
                compared++;
                if (!ApiAnswers.sameAnswer(query, expected, actual)) {
                    mismatches.add(query + " @ " + ApiAnswers.seconds(time) + "\n  prometheus: " + expected + "\n  gauntlet:   " + actual);
                }
            }
        }
        assertThat(mismatches).as("%d of %d instant answers differ", mismatches.size(), compared).isEmpty();
    }

    @Test
    void rangeQueriesAnswerAsPrometheus() throws Exception {
        long[][] ranges = {{WORKLOAD.start(), WORKLOAD.end() + 120_000, 60_000},
            {WORKLOAD.start() + 900_000, WORKLOAD.start() + 2_100_000, 15_000},
            {WORKLOAD.start() + 7_000, WORKLOAD.end(), 137_000}};
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (String query : RANGE_QUERIES) {
            for (long[] range : ranges) {
                String expected = prometheus.post("/api/v1/query_range", "query", query, "start", ApiAnswers.seconds(range[0]),
                        "end", ApiAnswers.seconds(range[1]), "step", ApiAnswers.seconds(range[2]));
                String actual = gauntletRange(query, range[0], range[1], range[2]);
                compared++;
                if (!expected.equals(actual)) {
                    mismatches.add(query + " " + ApiAnswers.seconds(range[0]) + ".." + ApiAnswers.seconds(range[1]) + " step " + ApiAnswers.seconds(range[2])
                            + "\n  prometheus: " + ApiAnswers.abbreviate(expected) + "\n  gauntlet:   " + ApiAnswers.abbreviate(actual)
                            + "\n  first difference at " + ApiAnswers.firstDifference(expected, actual));
                }
            }
        }
        assertThat(mismatches).as("%d of %d range answers differ", mismatches.size(), compared).isEmpty();
    }

}
