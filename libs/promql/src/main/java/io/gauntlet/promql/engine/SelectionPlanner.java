package io.gauntlet.promql.engine;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Works out, as Prometheus' populateSeries does, the time range and hints of every selector of a query, opens one
 * querier over the union of those ranges and loads the selected series into primitive arrays.
 */
final class SelectionPlanner {
    private static final long STALE_NAN_BITS = 0x7ff0000000000002L;

    private record PlannedSelection(VectorSelector selector, SelectHints hints, boolean rangeSelection) {
    }

    private final EvaluationContext context;
    private final long step;
    private final List<PlannedSelection> planned = new ArrayList<>();
    /** Selectors whose only reader is the window of a range function (the matrix argument of a call). */
    private final Map<VectorSelector, Boolean> functionWindows = new java.util.IdentityHashMap<>();

    SelectionPlanner(EvaluationContext context, long step) {
        this.context = context;
        this.step = step;
    }

    /**
     * One read from storage: selectors of a query with the same matchers, time range and hints (Prometheus would call
     * Select for each; a remote store answers each with the same series) share it.
     */
    private record SelectionKey(List<LabelMatcher> matchers, SelectHints hints, boolean rangeSelection) {
    }

    /**
     * Plans and loads every selector of {@code expr} into the context. Every distinct selection is started before the
     * first is read, so a querier over remote stores asks them all at once. One selection read by nothing but a
     * range function's window is left to stream into that function series by series (no copy of its samples held for
     * the query); the querier it reads from is returned open, for the caller to close after evaluation (null when
     * nothing is left to read).
     */
    Querier load(Queryable queryable, Expr expr) {
        walk(expr, Scope.ROOT, 0);
        if (planned.isEmpty()) {
            return null;
        }
        long mint = Long.MAX_VALUE;
        long maxt = Long.MIN_VALUE;
        Map<SelectionKey, List<VectorSelector>> distinct = new LinkedHashMap<>();
        for (PlannedSelection selection : planned) {
            mint = Math.min(mint, selection.hints().start());
            maxt = Math.max(maxt, selection.hints().end());
            distinct.computeIfAbsent(new SelectionKey(selection.selector().matchers(), selection.hints(),
                    selection.rangeSelection()), key -> new ArrayList<>()).add(selection.selector());
        }
        SelectionKey streamed = null;
        for (Map.Entry<SelectionKey, List<VectorSelector>> entry : distinct.entrySet()) {
            if (entry.getValue().size() == 1 && functionWindows.containsKey(entry.getValue().get(0))) {
                streamed = entry.getKey();
            }
        }
        Querier querier = null;
        try {
            querier = queryable.querier(mint, maxt);
            List<SeriesSet> sets = new ArrayList<>(distinct.size());
            for (SelectionKey key : distinct.keySet()) {
                context.checkCancelled();
                sets.add(querier.select(false, key.hints(), key.matchers()));
            }
            int index = 0;
            for (Map.Entry<SelectionKey, List<VectorSelector>> entry : distinct.entrySet()) {
                SeriesSet set = sets.get(index++);
                if (entry.getKey() == streamed) {
                    context.putStreamedSelection(entry.getValue().get(0), new StreamedSelection(set, entry.getKey()));
                    continue;
                }
                SeriesBuffer[] loaded = read(set, entry.getKey());
                for (VectorSelector selector : entry.getValue()) {
                    context.putSelection(selector, loaded);
                }
            }
            if (streamed != null) {
                return querier;
            }
        } catch (StorageException e) {
            closeQuietly(querier);
            throw expandingSeries(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(querier);
            throw e;
        }
        try {
            querier.close();
        } catch (StorageException e) {
            throw expandingSeries(e);
        }
        return null;
    }

    private static QueryExecutionException expandingSeries(StorageException e) {
        return new QueryExecutionException(ErrorType.EXECUTION, "expanding series: " + e.getMessage(), e);
    }

    private static void closeQuietly(Querier querier) {
        if (querier != null) {
            try {
                querier.close();
            } catch (StorageException ignored) {
                // the query already fails for another reason
            }
        }
    }

    /**
     * A selection read while a range function evaluates it: each series is decoded into one reused scratch buffer and
     * handed over in arrays the function must not keep. Read once.
     */
    final class StreamedSelection {
        private final SeriesSet set;
        private final SelectionKey key;
        private final SeriesBuffer scratch = new SeriesBuffer(Labels.EMPTY, 16);
        private SampleIterator reuse;
        private boolean started;

        private StreamedSelection(SeriesSet set, SelectionKey key) {
            this.set = set;
            this.key = key;
        }

        /** Called once before the first {@link #next()}: a second reader would see nothing. */
        void start() {
            if (started) {
                throw new QueryExecutionException(ErrorType.INTERNAL, "a streamed selection was evaluated twice");
            }
            started = true;
        }

        /** The next series (arrays valid until the next call), or null at the end; warnings are passed on then. */
        SeriesBuffer next() {
            try {
                if (!set.next()) {
                    context.warnings.addAll(set.warnings());
                    return null;
                }
                Series series = set.at();
                reuse = decode(series, reuse, scratch, key);
                return new SeriesBuffer(series.labels(), scratch.timestamps, scratch.values, scratch.histograms, scratch.size);
            } catch (StorageException e) {
                throw expandingSeries(e);
            }
        }
    }

    /** The series of one selection as primitive arrays, trimmed to the hinted range (evaluation only reads them). */
    private SeriesBuffer[] read(SeriesSet set, SelectionKey selection) throws StorageException {
        List<SeriesBuffer> loaded = new ArrayList<>();
        SampleIterator reuse = null;
        // each series is decoded into one growing scratch buffer and kept in arrays of its exact size: no doubling
        // garbage per series, and no slack held for the rest of the query
        SeriesBuffer buffer = new SeriesBuffer(Labels.EMPTY, 16);
        while (set.next()) {
            context.checkCancelled();
            Series series = set.at();
            reuse = decode(series, reuse, buffer, selection);
            loaded.add(buffer.trimmedCopy(series.labels()));
        }
        context.warnings.addAll(set.warnings());
        return loaded.toArray(SeriesBuffer[]::new);
    }

    /** Decodes one series' samples in the selection's range into {@code buffer}; returns the iterator to reuse. */
    private static SampleIterator decode(Series series, SampleIterator reuse, SeriesBuffer buffer, SelectionKey selection)
            throws StorageException {
        long from = selection.hints().start();
        long to = selection.hints().end();
        SampleIterator iterator = series.iterator(reuse);
        buffer.clear();
        // a TSDB querier trims each selection to its hinted range (windows moved by @ can see it): seek
        // lets chunk iterators skip whole chunks before the window, and samples after it are not decoded
        if (iterator.seek(from)) {
            do {
                long t = iterator.timestamp();
                if (t > to) {
                    break;
                }
                if (iterator.sampleType().isHistogram()) {
                    FloatHistogram histogram = iterator.floatHistogram();
                    // range selections never see staleness markers; instant ones need them to end a series
                    if (!selection.rangeSelection() || Double.doubleToRawLongBits(histogram.sum()) != STALE_NAN_BITS) {
                        buffer.add(t, 0, histogram.copy());
                    }
                    continue;
                }
                double value = iterator.value();
                // range selections never see staleness markers; instant ones need them to end a series
                if (!selection.rangeSelection() || Double.doubleToRawLongBits(value) != STALE_NAN_BITS) {
                    buffer.add(t, value);
                }
            } while (iterator.next());
        }
        return iterator;
    }

    /**
     * What the enclosing nodes of a selector contribute to its time range and hints, passed down the walk so each
     * selector is planned in constant time however deep it sits: the subqueries' offsets and ranges (an {@code @} on a
     * subquery resets what is outside it), the innermost function or aggregation above it up to a binary operation,
     * and the grouping of its parent when that is an aggregation.
     */
    private record Scope(long subqueryOffset, long subqueryRange, Long subqueryAt, String function,
            List<String> grouping, boolean by) {
        static final Scope ROOT = new Scope(0, 0, null, "", List.of(), false);

        Scope below(Expr parent) {
            String innerFunction = switch (parent) {
                case AggregateExpr aggregate -> aggregate.operator().symbol();
                case Call call -> call.function().name();
                case BinaryExpr ignored -> "";
                default -> function;
            };
            List<String> parentGrouping = List.of();
            boolean parentBy = false;
            if (parent instanceof AggregateExpr aggregate) {
                parentGrouping = aggregate.grouping();
                parentBy = !aggregate.without();
            }
            return new Scope(subqueryOffset, subqueryRange, subqueryAt, innerFunction, parentGrouping, parentBy);
        }

        Scope belowSubquery(SubqueryExpr subquery, Long at) {
            Scope scope = below(subquery);
            if (at != null) {
                return new Scope(subquery.offsetMillis(), subquery.rangeMillis(), at, scope.function, scope.grouping,
                        scope.by);
            }
            return new Scope(subqueryOffset + subquery.offsetMillis(), subqueryRange + subquery.rangeMillis(),
                    subqueryAt, scope.function, scope.grouping, scope.by);
        }
    }

    private void walk(Expr expr, Scope scope, long evalRange) {
        switch (expr) {
            case VectorSelector selector -> plan(selector, scope, evalRange);
            case MatrixSelector matrix -> walk(matrix.selector(), scope.below(matrix), matrix.rangeMillis());
            case SubqueryExpr subquery -> walk(subquery.expr(), scope.belowSubquery(subquery,
                    context.resolve(subquery.at())), 0);
            case ParenExpr paren -> walk(paren.expr(), scope.below(paren), 0);
            case StepInvariantExpr invariant -> walk(invariant.expr(), scope.below(invariant), 0);
            case UnaryExpr unary -> walk(unary.expr(), scope.below(unary), 0);
            case BinaryExpr binary -> {
                Scope below = scope.below(binary);
                walk(binary.lhs(), below, 0);
                walk(binary.rhs(), below, 0);
            }
            case AggregateExpr aggregate -> {
                Scope below = scope.below(aggregate);
                if (aggregate.param() != null) {
                    walk(aggregate.param(), below, 0);
                }
                walk(aggregate.expr(), below, 0);
            }
            case Call call -> {
                Scope below = scope.below(call);
                for (Expr argument : call.arguments()) {
                    if (Evaluator.unwrap(argument) instanceof MatrixSelector matrix) {
                        functionWindows.put(matrix.selector(), Boolean.TRUE);
                    }
                    walk(argument, below, 0);
                }
            }
            case NumberLiteral ignored -> {
            }
            case StringLiteral ignored -> {
            }
        }
    }

    private void plan(VectorSelector selector, Scope scope, long evalRange) {
        long start = context.queryStart;
        long end = context.queryEnd;
        if (scope.subqueryAt() != null) {
            start = scope.subqueryAt();
            end = scope.subqueryAt();
        }
        Long at = context.resolve(selector.at());
        if (at != null) {
            start = at;
            end = at;
        } else {
            start = start - scope.subqueryOffset() - scope.subqueryRange();
            end -= scope.subqueryOffset();
        }
        start -= evalRange == 0 ? context.options.lookbackDeltaMillis() : evalRange;
        start -= selector.offsetMillis();
        end -= selector.offsetMillis();
        SelectHints hints = new SelectHints(start, end, step, scope.function(), evalRange, scope.grouping(), scope.by());
        planned.add(new PlannedSelection(selector, hints, evalRange != 0));
    }
}
