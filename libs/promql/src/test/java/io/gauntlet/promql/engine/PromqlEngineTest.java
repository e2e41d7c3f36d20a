package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.Functions;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Engine behaviour that the golden files do not pin down: limits, errors, hints, result shapes. */
class PromqlEngineTest {
    private static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    private static VectorSelector selector(String name) {
        return new VectorSelector(name, List.of(LabelMatcher.equal(Labels.METRIC_NAME, name)), 0, null, PositionRange.NONE);
    }

    private static VectorSelector selector(String name, long offset, AtModifier at) {
        return new VectorSelector(name, List.of(LabelMatcher.equal(Labels.METRIC_NAME, name)), offset, at, PositionRange.NONE);
    }

    private static Call call(String function, Expr... arguments) {
        return new Call(Functions.require(function), List.of(arguments), PositionRange.NONE);
    }

    private static InMemoryQueryable counter() {
        InMemoryQueryable storage = new InMemoryQueryable();
        for (int i = 0; i <= 100; i++) {
            storage.append(Labels.of("__name__", "requests", "job", "a"), i * 10_000L, i);
            storage.append(Labels.of("__name__", "requests", "job", "b"), i * 10_000L, 2 * i);
        }
        return storage;
    }

    @Test
    void instantSelectorTakesTheNewestSampleWithinTheLookbackAndStopsAtAStaleMarker() {
        InMemoryQueryable storage = new InMemoryQueryable();
        Labels series = Labels.of("__name__", "up", "job", "x");
        storage.append(series, 0, 1);
        storage.append(series, 60_000, 2);
        storage.append(series, 120_000, STALE_NAN);
        PromqlEngine engine = new PromqlEngine();

        VectorResult at90 = (VectorResult) engine.instantQuery(storage, selector("up"), 90_000).value();
        assertThat(at90.size()).isEqualTo(1);
        assertThat(at90.value(0)).isEqualTo(2);
        assertThat(at90.labels(0)).isEqualTo(series);
        // the stale marker hides the series from 120s on
        assertThat(((VectorResult) engine.instantQuery(storage, selector("up"), 130_000).value()).size()).isZero();
        // the lookback window includes its left end: 60s + 5m
        VectorResult edge = (VectorResult) new PromqlEngine(EngineOptions.defaults().withLookbackDelta(60_000))
                .instantQuery(storage, selector("up"), 119_999).value();
        assertThat(edge.size()).isEqualTo(1);
    }

    @Test
    void rangeQueryReturnsSeriesSortedByLabelsWithAPointPerStep() {
        PromqlEngine engine = new PromqlEngine();
        Expr rate = call("rate", new MatrixSelector(selector("requests"), 60_000, PositionRange.NONE));
        MatrixResult result = (MatrixResult) engine.rangeQuery(counter(), rate, 100_000, 400_000, 100_000).value();
        assertThat(result.series()).extracting(RangeSeries::labels)
                .containsExactly(Labels.of("job", "a"), Labels.of("job", "b"));
        RangeSeries a = result.series().get(0);
        assertThat(a.size()).isEqualTo(4);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.timestamp(i)).isEqualTo(100_000L * (i + 1));
            assertThat(a.value(i)).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-12));
        }
    }

    @Test
    void selectHintsCarryTheRangeFunctionAndGrouping() {
        InMemoryQueryable storage = counter();
        Expr query = new AggregateExpr(AggregateOperator.SUM,
                call("rate", new MatrixSelector(selector("requests", 30_000, null), 60_000, PositionRange.NONE)), null,
                List.of("job"), false, PositionRange.NONE);
        new PromqlEngine().rangeQuery(storage, query, 200_000, 300_000, 10_000);
        SelectHints hints = storage.recordedHints().getLast();
        assertThat(hints.start()).isEqualTo(200_000 - 60_000 - 30_000);
        assertThat(hints.end()).isEqualTo(300_000 - 30_000);
        assertThat(hints.step()).isEqualTo(10_000);
        assertThat(hints.range()).isEqualTo(60_000);
        assertThat(hints.function()).isEqualTo("rate");

        new PromqlEngine().instantQuery(storage, new AggregateExpr(AggregateOperator.MAX, selector("requests", 0,
                AtModifier.at(500_000)), null, List.of("job"), false, PositionRange.NONE), 900_000);
        SelectHints atHints = storage.recordedHints().getLast();
        assertThat(atHints.start()).isEqualTo(500_000 - 300_000);
        assertThat(atHints.end()).isEqualTo(500_000);
        assertThat(atHints.function()).isEqualTo("max");
        assertThat(atHints.grouping()).containsExactly("job");
        assertThat(atHints.by()).isTrue();
    }

    @Test
    void tooManySamplesIsAnExecutionError() {
        PromqlEngine engine = new PromqlEngine(EngineOptions.defaults().withMaxSamples(50));
        assertThatThrownBy(() -> engine.rangeQuery(counter(), selector("requests"), 0, 1_000_000, 10_000))
                .isInstanceOfSatisfying(PromqlException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.EXECUTION);
                    assertThat(e.getMessage()).isEqualTo(
                            "query processing would load too many samples into memory in query execution");
                });
    }

    @Test
    void cancellationAndTimeoutStopTheQuery() {
        QueryCancellation cancelled = new QueryCancellation();
        cancelled.cancel();
        assertThatThrownBy(() -> new PromqlEngine().rangeQuery(counter(), selector("requests"), 0, 1_000_000, 10_000,
                cancelled)).isInstanceOfSatisfying(PromqlException.class,
                        e -> assertThat(e.type()).isEqualTo(ErrorType.CANCELED));
        PromqlEngine hasty = new PromqlEngine(EngineOptions.defaults().withTimeout(Duration.ofNanos(1)));
        assertThatThrownBy(() -> hasty.rangeQuery(counter(), selector("requests"), 0, 1_000_000, 10_000))
                .isInstanceOfSatisfying(PromqlException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
                    assertThat(e.getMessage()).startsWith("query timed out in");
                });
    }

    @Test
    void storageErrorsAreExecutionErrors() {
        assertThatThrownBy(() -> new PromqlEngine().instantQuery((mint, maxt) -> {
            throw new StorageException("bucket unreachable");
        }, selector("up"), 0)).isInstanceOfSatisfying(PromqlException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.EXECUTION);
            assertThat(e.getMessage()).isEqualTo("expanding series: bucket unreachable");
        });
    }

    /** A range function's only selection is read while the function evaluates: its store may fail there too. */
    @Test
    void aStreamedSelectionsStorageErrorIsAnExecutionErrorAndItsQuerierIsClosed() {
        InMemoryQueryable storage = counter();
        boolean[] closed = {false};
        int[] failAt = {2};
        Queryable failing = (mint, maxt) -> {
            Querier inner = storage.querier(mint, maxt);
            return new Querier() {
                @Override
                public SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) throws StorageException {
                    SeriesSet set = inner.select(sorted, hints, matchers);
                    return new SeriesSet() {
                        private int read;

                        @Override
                        public boolean next() throws StorageException {
                            if (++read == failAt[0]) {
                                throw new StorageException("store went away");
                            }
                            return set.next();
                        }

                        @Override
                        public Series at() {
                            return set.at();
                        }
                    };
                }

                @Override
                public List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException {
                    return inner.labelValues(name, matchers);
                }

                @Override
                public List<String> labelNames(List<LabelMatcher> matchers) throws StorageException {
                    return inner.labelNames(matchers);
                }

                @Override
                public void close() throws StorageException {
                    closed[0] = true;
                    inner.close();
                }
            };
        };
        PromqlEngine engine = new PromqlEngine();
        assertThatThrownBy(() -> engine.rangeQuery(failing, "sum(rate(requests[1m]))", 60_000, 1_000_000, 10_000))
                .isInstanceOfSatisfying(PromqlException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.EXECUTION);
                    assertThat(e.getMessage()).isEqualTo("expanding series: store went away");
                });
        assertThat(closed[0]).isTrue();
        closed[0] = false;
        failAt[0] = -1;
        assertThat(engine.rangeQuery(failing, "sum(rate(requests[1m]))", 60_000, 1_000_000, 10_000).value())
                .isEqualTo(engine.rangeQuery(storage, "sum(rate(requests[1m])) + 0 * sum(rate(requests[1m]))",
                        60_000, 1_000_000, 10_000).value());
        assertThat(closed[0]).isTrue();
    }

    @Test
    void rangeQueriesRejectBadArguments() {
        PromqlEngine engine = new PromqlEngine();
        InMemoryQueryable storage = counter();
        assertThatThrownBy(() -> engine.rangeQuery(storage, selector("up"), 0, 10, 0))
                .isInstanceOfSatisfying(PromqlException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.BAD_DATA));
        assertThatThrownBy(() -> engine.rangeQuery(storage, new MatrixSelector(selector("up"), 1000, PositionRange.NONE),
                0, 10, 1)).hasMessage("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        assertThatThrownBy(() -> new PromqlEngine(EngineOptions.defaults().withAtModifier(false))
                .instantQuery(storage, selector("up", 0, AtModifier.START), 0)).hasMessage("@ modifier is disabled");
    }

    @Test
    void nativeHistogramFunctionsSkipFloatSamples() {
        VectorResult result = (VectorResult) new PromqlEngine().instantQuery(counter(),
                call("histogram_count", selector("requests")), 100_000).value();
        assertThat(result.size()).isZero();
    }

    @Test
    void sumsAndRatesNativeHistograms() {
        InMemoryQueryable storage = new InMemoryQueryable();
        Labels a = Labels.of(Labels.METRIC_NAME, "latency", "instance", "a");
        Labels b = Labels.of(Labels.METRIC_NAME, "latency", "instance", "b");
        for (int i = 0; i <= 4; i++) {
            // bucket 1 (1, 2] grows by 2 per 15 s, bucket 2 (2, 4] by 1
            storage.appendHistogram(a, i * 15_000L, histogram(3 * i, 2 * i, i));
            storage.appendHistogram(b, i * 15_000L, histogram(1, 1, 0));
        }
        VectorResult sum = (VectorResult) new PromqlEngine().instantQuery(storage, "sum(latency)", 60_000).value();
        assertThat(sum.histogram(0).count()).isEqualTo(13);
        assertThat(sum.histogram(0).positiveBuckets()).containsExactly(9, 4);

        // the counts also take the bucket arrays' float order; detailed parity is NativeHistogramPromqlParityTest's
        VectorResult rate = (VectorResult) new PromqlEngine().instantQuery(storage, "rate(latency{instance=\"a\"}[1m])",
                60_000).value();
        // 12 observations over the 60 s window (extrapolation reaches the window's edges exactly)
        assertThat(rate.labels(0)).isEqualTo(Labels.of("instance", "a"));
        assertThat(rate.histogram(0).count()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(rate.histogram(0).positiveBuckets()[0]).isCloseTo(8.0 / 60, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(rate.histogram(0).positiveBuckets()[1]).isCloseTo(4.0 / 60, org.assertj.core.data.Offset.offset(1e-15));
        VectorResult quantile = (VectorResult) new PromqlEngine().instantQuery(storage,
                "histogram_quantile(0.5, rate(latency{instance=\"a\"}[1m]))", 60_000).value();
        assertThat(quantile.value(0)).isCloseTo(1.75, org.assertj.core.data.Offset.offset(1e-12));
        // 2.42 sees a histogram as the float 0 in what only knows floats
        VectorResult max = (VectorResult) new PromqlEngine().instantQuery(storage, "max(latency)", 60_000).value();
        assertThat(max.value(0)).isZero();
        assertThat(max.histogram(0)).isNull();
    }

    private static io.gauntlet.tsdb.histogram.FloatHistogram histogram(double count, double first, double second) {
        return new io.gauntlet.tsdb.histogram.FloatHistogram().set(io.gauntlet.tsdb.histogram.CounterResetHint.UNKNOWN, 0,
                0.001, 0, count, count * 1.5, new io.gauntlet.tsdb.histogram.Span[] {new io.gauntlet.tsdb.histogram.Span(1, 2)},
                new double[] {first, second}, null, null);
    }

    @Test
    void instantRangeSelectorReturnsRawSamplesWithBothEndsIncluded() {
        MatrixResult result = (MatrixResult) new PromqlEngine().instantQuery(counter(),
                new MatrixSelector(selector("requests"), 30_000, PositionRange.NONE), 100_000).value();
        RangeSeries a = result.series().get(0);
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.timestamp(0)).isEqualTo(70_000);
        assertThat(a.timestamp(3)).isEqualTo(100_000);
        assertThat(a.labels().get(Labels.METRIC_NAME)).isEqualTo("requests");
    }
}
