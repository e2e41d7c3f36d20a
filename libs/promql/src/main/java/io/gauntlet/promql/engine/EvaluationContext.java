package io.gauntlet.promql.engine;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** State shared by every evaluator of one query: loaded series, sample budget, deadline, cancellation, warnings. */
final class EvaluationContext {
    final EngineOptions options;
    final long queryStart;
    final long queryEnd;
    final RangeFunctions rangeFunctions = new RangeFunctions();
    final List<String> warnings = new ArrayList<>();
    private final Map<VectorSelector, SeriesBuffer[]> selections = new IdentityHashMap<>();
    private final Map<VectorSelector, SelectionPlanner.StreamedSelection> streamedSelections = new IdentityHashMap<>();
    /** Evaluator.isStepInvariant per node: computed once, so deep chains stay linear. */
    final Map<Expr, Boolean> stepInvariance = new IdentityHashMap<>();
    private final long deadlineNanos;
    private final QueryCancellation cancellation;
    private long currentSamples;
    private int checks;
    /** Where samples are counted now: the query's statistics, or a subquery's own while it is evaluated. */
    QueryStats samples = QueryStats.of(0, 0, 1);

    EvaluationContext(EngineOptions options, long queryStart, long queryEnd, QueryCancellation cancellation) {
        this.options = options;
        this.queryStart = queryStart;
        this.queryEnd = queryEnd;
        this.cancellation = cancellation;
        this.deadlineNanos = System.nanoTime() + options.timeout().toNanos();
    }

    /** Counts into {@code child} while {@code body} runs; the child's peak is folded into the current statistics. */
    <T> T withChildSamples(QueryStats child, java.util.function.Supplier<T> body) {
        QueryStats parent = samples;
        samples = child;
        try {
            return body.get();
        } finally {
            samples = parent;
            parent.updatePeakFromChild(child);
        }
    }

    void putSelection(VectorSelector selector, SeriesBuffer[] series) {
        selections.put(selector, series);
    }

    void putStreamedSelection(VectorSelector selector, SelectionPlanner.StreamedSelection series) {
        streamedSelections.put(selector, series);
    }

    /** The selection a range function reads series by series as it evaluates; null when it was loaded whole. */
    SelectionPlanner.StreamedSelection streamedSelection(VectorSelector selector) {
        return streamedSelections.get(selector);
    }

    SeriesBuffer[] selection(VectorSelector selector) {
        SeriesBuffer[] series = selections.get(selector);
        if (series == null) {
            throw new QueryExecutionException(ErrorType.INTERNAL, "selector was not prepared: " + selector);
        }
        return series;
    }

    /** The time an {@code @} modifier stands for; null when there is none. */
    Long resolve(AtModifier at) {
        if (at == null) {
            return null;
        }
        return switch (at.kind()) {
            case TIMESTAMP -> at.timestampMillis();
            case START -> queryStart;
            case END -> queryEnd;
        };
    }

    /** Throws when the query was cancelled, interrupted or ran past its timeout. */
    void checkCancelled() {
        if ((++checks & 0x3f) != 0 && checks > 64) {
            // the clock and the flags are cheap but not free: look at them every 64 calls after a warm-up
            return;
        }
        if (cancellation != null && cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new QueryExecutionException(ErrorType.CANCELED, "query was canceled in expression evaluation");
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new QueryExecutionException(ErrorType.TIMEOUT, "query timed out in expression evaluation");
        }
    }

    /** Counts samples held in memory; fails the query past the limit (Prometheus' max samples). */
    void addSamples(long count) {
        currentSamples += count;
        if (currentSamples > options.maxSamples()) {
            throw tooManySamples();
        }
        samples.updatePeak(currentSamples);
    }

    void releaseSamples(long count) {
        currentSamples = Math.max(0, currentSamples - count);
    }

    /** Fails if {@code count} more samples would exceed the limit, without keeping them. */
    void checkTransientSamples(long count) {
        if (currentSamples + count > options.maxSamples()) {
            throw tooManySamples();
        }
        samples.updatePeak(currentSamples + count);
    }

    static QueryExecutionException tooManySamples() {
        return new QueryExecutionException(ErrorType.EXECUTION,
                "query processing would load too many samples into memory in query execution");
    }
}
