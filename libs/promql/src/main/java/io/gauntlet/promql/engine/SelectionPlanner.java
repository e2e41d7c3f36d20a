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
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

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

    SelectionPlanner(EvaluationContext context, long step) {
        this.context = context;
        this.step = step;
    }

    /** Plans and loads every selector of {@code expr} into the context; returns nothing to close. */
    void load(Queryable queryable, Expr expr) {
        walk(expr, new ArrayDeque<>(), 0);
        if (planned.isEmpty()) {
            return;
        }
        long mint = Long.MAX_VALUE;
        long maxt = Long.MIN_VALUE;
        for (PlannedSelection selection : planned) {
            mint = Math.min(mint, selection.hints().start());
            maxt = Math.max(maxt, selection.hints().end());
        }
        try (Querier querier = queryable.querier(mint, maxt)) {
            for (PlannedSelection selection : planned) {
                context.checkCancelled();
                SeriesSet set = querier.select(false, selection.hints(), selection.selector().matchers());
                List<SeriesBuffer> loaded = new ArrayList<>();
                SampleIterator reuse = null;
                while (set.next()) {
                    context.checkCancelled();
                    Series series = set.at();
                    SampleIterator iterator = series.iterator(reuse);
                    reuse = iterator;
                    SeriesBuffer buffer = new SeriesBuffer(series.labels(), 16);
                    long from = selection.hints().start();
                    long to = selection.hints().end();
                    // a TSDB querier trims each selection to its hinted range (windows moved by @ can see it): seek
                    // lets chunk iterators skip whole chunks before the window, and samples after it are not decoded
                    if (iterator.seek(from)) {
                        do {
                            long t = iterator.timestamp();
                            if (t > to) {
                                break;
                            }
                            if (iterator.sampleType().isHistogram()) {
                                throw new QueryExecutionException(ErrorType.EXECUTION, "series " + series.labels()
                                        + " holds native histogram samples, which this query engine does not evaluate yet");
                            }
                            double value = iterator.value();
                            // range selections never see staleness markers; instant ones need them to end a series
                            if (!selection.rangeSelection() || Double.doubleToRawLongBits(value) != STALE_NAN_BITS) {
                                buffer.add(t, value);
                            }
                        } while (iterator.next());
                    }
                    loaded.add(buffer);
                }
                context.warnings.addAll(set.warnings());
                context.putSelection(selection.selector(), loaded.toArray(SeriesBuffer[]::new));
            }
        } catch (StorageException e) {
            throw new QueryExecutionException(ErrorType.EXECUTION, "expanding series: " + e.getMessage(), e);
        }
    }

    private void walk(Expr expr, Deque<Expr> path, long evalRange) {
        switch (expr) {
            case VectorSelector selector -> plan(selector, path, evalRange);
            case MatrixSelector matrix -> {
                path.addLast(matrix);
                walk(matrix.selector(), path, matrix.rangeMillis());
                path.removeLast();
            }
            case SubqueryExpr subquery -> child(subquery, subquery.expr(), path);
            case ParenExpr paren -> child(paren, paren.expr(), path);
            case StepInvariantExpr invariant -> child(invariant, invariant.expr(), path);
            case UnaryExpr unary -> child(unary, unary.expr(), path);
            case BinaryExpr binary -> {
                child(binary, binary.lhs(), path);
                child(binary, binary.rhs(), path);
            }
            case AggregateExpr aggregate -> {
                if (aggregate.param() != null) {
                    child(aggregate, aggregate.param(), path);
                }
                child(aggregate, aggregate.expr(), path);
            }
            case Call call -> {
                for (Expr argument : call.arguments()) {
                    child(call, argument, path);
                }
            }
            case NumberLiteral ignored -> {
            }
            case StringLiteral ignored -> {
            }
        }
    }

    private void child(Expr parent, Expr child, Deque<Expr> path) {
        path.addLast(parent);
        walk(child, path, 0);
        path.removeLast();
    }

    private void plan(VectorSelector selector, Deque<Expr> path, long evalRange) {
        long start = context.queryStart;
        long end = context.queryEnd;
        // offsets and ranges of enclosing subqueries; an @ on a subquery resets what is outside it
        long subqueryOffset = 0;
        long subqueryRange = 0;
        Long subqueryAt = null;
        for (Expr node : path) {
            if (node instanceof SubqueryExpr subquery) {
                subqueryOffset += subquery.offsetMillis();
                subqueryRange += subquery.rangeMillis();
                Long at = context.resolve(subquery.at());
                if (at != null) {
                    subqueryOffset = subquery.offsetMillis();
                    subqueryRange = subquery.rangeMillis();
                    subqueryAt = at;
                }
            }
        }
        if (subqueryAt != null) {
            start = subqueryAt;
            end = subqueryAt;
        }
        Long at = context.resolve(selector.at());
        if (at != null) {
            start = at;
            end = at;
        } else {
            start = start - subqueryOffset - subqueryRange;
            end -= subqueryOffset;
        }
        start -= evalRange == 0 ? context.options.lookbackDeltaMillis() : evalRange;
        start -= selector.offsetMillis();
        end -= selector.offsetMillis();

        String function = enclosingFunction(path);
        List<String> grouping = List.of();
        boolean by = false;
        if (!path.isEmpty() && path.peekLast() instanceof AggregateExpr aggregate) {
            by = !aggregate.without();
            grouping = aggregate.grouping();
        }
        SelectHints hints = new SelectHints(start, end, step, function, evalRange, grouping, by);
        planned.add(new PlannedSelection(selector, hints, evalRange != 0));
    }

    /** The innermost enclosing function or aggregation, stopping at a binary operation. */
    private static String enclosingFunction(Deque<Expr> path) {
        Iterator<Expr> fromInnermost = path.descendingIterator();
        while (fromInnermost.hasNext()) {
            Expr node = fromInnermost.next();
            if (node instanceof AggregateExpr aggregate) {
                return aggregate.operator().symbol();
            }
            if (node instanceof Call call) {
                return call.function().name();
            }
            if (node instanceof BinaryExpr) {
                return "";
            }
        }
        return "";
    }
}
