package io.gauntlet.frontend;

import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AtModifier;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which stored data a query reads: for each selector its matchers and the window of sample times it reads around an
 * evaluation time (offsets, ranges, the lookback delta, subqueries) or at a fixed time ({@code @}). A block of samples
 * in {@code [minTime, maxTime]} with external labels L can change the answer at evaluation time t only if some
 * selector's window at t overlaps the block and no matcher on one of L's names refuses L's value.
 */
public final class QueryFootprint {
    /** What one selector reads: {@code [t - back, t + ahead]}, or {@code [fixedFrom, fixedTo]} under {@code @}. */
    record Reach(List<LabelMatcher> matchers, long back, long ahead, boolean fixed, long fixedFrom, long fixedTo) {
    }

    private final List<Reach> reaches;
    private final Set<String> ignoredLabels;

    private QueryFootprint(List<Reach> reaches, Set<String> ignoredLabels) {
        this.reaches = List.copyOf(reaches);
        this.ignoredLabels = Set.copyOf(ignoredLabels);
    }

    /**
     * @param atStart,atEnd   what {@code @ start()} / {@code @ end()} mean for this query
     * @param ignoredLabels   labels whose matchers never rule a block out (replica labels: the querier may drop them)
     */
    public static QueryFootprint of(Expr expr, long lookbackDelta, long atStart, long atEnd, Set<String> ignoredLabels) {
        List<Reach> reaches = new ArrayList<>();
        walk(expr, new Window(0, 0, null), lookbackDelta, atStart, atEnd, reaches);
        return new QueryFootprint(reaches, ignoredLabels);
    }

    /** Everything reads everything: for requests whose query is not parsed (label and series calls without match[]). */
    public static QueryFootprint everything() {
        return new QueryFootprint(List.of(new Reach(List.of(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, false, 0, 0)), Set.of());
    }

    /** Selectors read exactly [t, t] with these matchers: label and series calls over their own range. */
    public static QueryFootprint ofSelectors(List<List<LabelMatcher>> selectors, Set<String> ignoredLabels) {
        List<Reach> reaches = new ArrayList<>();
        for (List<LabelMatcher> matchers : selectors) {
            reaches.add(new Reach(matchers, 0, 0, false, 0, 0));
        }
        return new QueryFootprint(reaches, ignoredLabels);
    }

    /** The sample window relative to the evaluation time so far, and an anchoring {@code @} time if any. */
    private record Window(long back, long ahead, Long anchor) {
    }

    private static void walk(Expr expr, Window window, long lookback, long atStart, long atEnd, List<Reach> out) {
        switch (expr) {
            case VectorSelector selector -> out.add(reach(selector, window, lookback, 0, atStart, atEnd));
            case MatrixSelector matrix -> out.add(reach(matrix.selector(), window, 0, matrix.rangeMillis(), atStart, atEnd));
            case SubqueryExpr subquery -> {
                long offset = subquery.offsetMillis();
                // inner evaluation times lie in [t - offset - range, t - offset]; under its own @, t is that time
                Window outer = subquery.at() == null ? window : new Window(0, 0, anchorOf(subquery.at(), atStart, atEnd, null));
                Window inner = new Window(outer.back + offset + subquery.rangeMillis(), outer.ahead - offset, outer.anchor);
                walk(subquery.expr(), inner, lookback, atStart, atEnd, out);
            }
            case AggregateExpr aggregate -> {
                walk(aggregate.expr(), window, lookback, atStart, atEnd, out);
                if (aggregate.param() != null) {
                    walk(aggregate.param(), window, lookback, atStart, atEnd, out);
                }
            }
            case BinaryExpr binary -> {
                walk(binary.lhs(), window, lookback, atStart, atEnd, out);
                walk(binary.rhs(), window, lookback, atStart, atEnd, out);
            }
            case Call call -> {
                for (Expr argument : call.arguments()) {
                    walk(argument, window, lookback, atStart, atEnd, out);
                }
            }
            case ParenExpr paren -> walk(paren.expr(), window, lookback, atStart, atEnd, out);
            case UnaryExpr unary -> walk(unary.expr(), window, lookback, atStart, atEnd, out);
            case StepInvariantExpr invariant -> walk(invariant.expr(), window, lookback, atStart, atEnd, out);
            case NumberLiteral ignored -> {
            }
            case StringLiteral ignored -> {
            }
        }
    }

    private static Reach reach(VectorSelector selector, Window window, long lookback, long range, long atStart, long atEnd) {
        Window outer = selector.at() == null ? window : new Window(0, 0, anchorOf(selector.at(), atStart, atEnd, null));
        long offset = selector.offsetMillis();
        long back = outer.back + offset + range + lookback;
        long ahead = outer.ahead - offset;
        if (outer.anchor != null) {
            // under @ the times read no longer move with the evaluation time
            return new Reach(selector.matchers(), back, ahead, true, outer.anchor - back, outer.anchor + ahead);
        }
        return new Reach(selector.matchers(), back, ahead, false, 0, 0);
    }

    private static Long anchorOf(AtModifier at, long atStart, long atEnd, Long outer) {
        if (at == null) {
            return outer;
        }
        return switch (at.kind()) {
            case START -> atStart;
            case END -> atEnd;
            case TIMESTAMP -> at.timestampMillis();
        };
    }

    /** Whether any selector reads from {@code @} times (the cache then stays away from fresh ones). */
    public long latestFixedTime() {
        long latest = Long.MIN_VALUE;
        for (Reach reach : reaches) {
            if (reach.fixed) {
                latest = Math.max(latest, reach.fixedTo);
            }
        }
        return latest;
    }

    /** Whether a block of samples in {@code [minTime, maxTime]} with {@code externalLabels} can change the answer at times {@code [from, to]}. */
    public boolean affects(long minTime, long maxTime, Labels externalLabels, long from, long to) {
        for (Reach reach : reaches) {
            boolean overlaps = reach.fixed
                    ? reach.fixedFrom <= maxTime && reach.fixedTo >= minTime
                    : saturatingSubtract(from, reach.back) <= maxTime && saturatingAdd(to, reach.ahead) >= minTime;
            if (overlaps && mayMatch(reach.matchers, externalLabels)) {
                return true;
            }
        }
        return false;
    }

    private boolean mayMatch(List<LabelMatcher> matchers, Labels externalLabels) {
        for (LabelMatcher matcher : matchers) {
            if (ignoredLabels.contains(matcher.name())) {
                continue;
            }
            String value = externalLabels.get(matcher.name());
            if (value != null && !value.isEmpty() && !matcher.matches(value)) {
                return false; // every series of the block carries this value: the selector takes none of them
            }
        }
        return true;
    }

    private static long saturatingSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    public boolean readsNothing() {
        return reaches.isEmpty();
    }
}
