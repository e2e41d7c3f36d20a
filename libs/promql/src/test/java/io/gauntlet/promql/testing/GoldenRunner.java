package io.gauntlet.promql.testing;

import io.gauntlet.promql.PromqlException;
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
import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryValue;
import io.gauntlet.promql.engine.RangeSeries;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.StringResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.promql.parser.SeriesDescription;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a golden script the way Prometheus 2.42's test.go does: each eval runs as an instant query, again with
 * {@code @} set to the eval time at shifted eval times (unless the query uses time-dependent functions), and each of
 * those again as a range query from t-1m to t+1m whose middle step must give the same result.
 */
final class GoldenRunner {
    enum Status { PASSED, FAILED, SKIPPED }

    record Outcome(String file, int line, String expression, Status status, String message) {
        String id() {
            return file + ":" + line;
        }
    }

    /** Functions whose value depends on the evaluation time even with step-invariant arguments (2.42's list). */
    private static final Set<String> AT_MODIFIER_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week",
            "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp");
    private static final double EPSILON = 0.000001;
    private static final double MIN_NORMAL = Double.MIN_NORMAL;

    private final PromqlEngine engine = new PromqlEngine();
    private final InMemoryQueryable storage = new InMemoryQueryable();

    List<Outcome> run(String file, String content) {
        List<Outcome> outcomes = new ArrayList<>();
        List<GoldenScript.Command> commands = GoldenScript.parse(file, content);
        for (GoldenScript.Command command : commands) {
            switch (command) {
                case GoldenScript.Clear ignored -> storage.clear();
                case GoldenScript.Load load -> {
                    for (SeriesDescription series : load.series()) {
                        for (int i = 0; i < series.values().size(); i++) {
                            if (!series.values().get(i).omitted()) {
                                storage.append(series.labels(), i * load.intervalMillis(), series.values().get(i).value());
                            }
                        }
                    }
                }
                case GoldenScript.Eval eval -> outcomes.add(evaluate(file, eval));
            }
        }
        return outcomes;
    }

    private Outcome evaluate(String file, GoldenScript.Eval eval) {
        try {
            Expr expr = PromqlParser.parseExpr(eval.expression());
            List<Expr> expressions = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            expressions.add(expr);
            times.add(eval.timeMillis());
            AtVariant variant = withAtModifier(expr, eval.timeMillis());
            if (!variant.unsafe()) {
                long ts = eval.timeMillis();
                long[] evalTimes = ts == 0 ? new long[] {0, -1000, 1000} : new long[] {-10 * ts, 0, ts / 5, ts, 10 * ts};
                for (long time : evalTimes) {
                    expressions.add(variant.expr());
                    times.add(time);
                }
            }
            for (int q = 0; q < expressions.size(); q++) {
                String error = check(eval, expressions.get(q), times.get(q));
                if (error != null) {
                    String which = q == 0 ? "" : " [with @ " + eval.timeMillis() + ", evaluated at " + times.get(q) + "]";
                    return new Outcome(file, eval.line(), eval.expression(), Status.FAILED, error + which);
                }
            }
            return new Outcome(file, eval.line(), eval.expression(), Status.PASSED, "");
        } catch (PromqlException | IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            return new Outcome(file, eval.line(), eval.expression(), Status.FAILED, e.toString());
        }
    }

    /** Null when the query behaves as expected, else what went wrong. */
    private String check(GoldenScript.Eval eval, Expr expr, long time) {
        QueryValue value;
        try {
            value = engine.instantQuery(storage, expr, time).value();
        } catch (PromqlException e) {
            return eval.fail() ? null : "error evaluating query: " + e.getMessage();
        }
        if (eval.fail()) {
            return "expected error evaluating query but got none: " + value;
        }
        String mismatch = compare(eval, value);
        if (mismatch != null) {
            return mismatch;
        }
        QueryValue rangeValue;
        try {
            rangeValue = engine.rangeQuery(storage, expr, time - 60_000, time + 60_000, 60_000).value();
        } catch (PromqlException e) {
            return "error evaluating query in range mode: " + e.getMessage();
        }
        if (eval.ordered()) {
            return null; // ordering is not defined for range queries
        }
        List<Labels> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (RangeSeries series : ((MatrixResult) rangeValue).series()) {
            for (int i = 0; i < series.size(); i++) {
                if (series.timestamp(i) == time) {
                    labels.add(series.labels());
                    values.add(series.value(i));
                    break;
                }
            }
        }
        QueryValue middle;
        if (value instanceof ScalarResult) {
            middle = new ScalarResult(time, values.isEmpty() ? Double.NaN : values.get(0));
        } else {
            double[] raw = new double[values.size()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = values.get(i);
            }
            middle = new VectorResult(time, labels.toArray(Labels[]::new), raw);
        }
        String rangeMismatch = compare(eval, middle);
        return rangeMismatch == null ? null : rangeMismatch + " (range mode)";
    }

    private static String compare(GoldenScript.Eval eval, QueryValue value) {
        switch (value) {
            case MatrixResult ignored -> {
                return "received range result on instant evaluation";
            }
            case StringResult string -> {
                return "unexpected string result " + string;
            }
            case ScalarResult scalar -> {
                if (!eval.scalar() || eval.expected().isEmpty()) {
                    return "expected a vector but got scalar " + scalar.value();
                }
                double expected = eval.expected().get(0).value();
                if (!almostEqual(expected, scalar.value())) {
                    return "expected scalar " + expected + " but got " + scalar.value();
                }
                return null;
            }
            case VectorResult vector -> {
                if (eval.scalar()) {
                    return "expected a scalar but got vector " + vector;
                }
                Map<Labels, Integer> positions = new HashMap<>();
                for (int i = 0; i < eval.expected().size(); i++) {
                    positions.put(eval.expected().get(i).labels(), i);
                }
                Set<Labels> seen = new HashSet<>();
                for (int i = 0; i < vector.size(); i++) {
                    Integer position = positions.get(vector.labels(i));
                    if (position == null) {
                        return "unexpected metric " + vector.labels(i) + " in result " + vector;
                    }
                    GoldenScript.Expected expected = eval.expected().get(position);
                    if (eval.ordered() && position != i) {
                        return "expected metric " + vector.labels(i) + " at position " + (position + 1) + " but was at "
                                + (i + 1);
                    }
                    if (!almostEqual(expected.value(), vector.value(i))) {
                        return "expected " + expected.value() + " for " + vector.labels(i) + " but got " + vector.value(i);
                    }
                    seen.add(vector.labels(i));
                }
                for (GoldenScript.Expected expected : eval.expected()) {
                    if (!seen.contains(expected.labels())) {
                        return "expected metric " + expected.labels() + " with " + expected.value() + " not found in "
                                + vector;
                    }
                }
                return null;
            }
        }
    }

    /** test.go's almostEqual: NaN equals NaN, otherwise a relative error below 1e-6. */
    static boolean almostEqual(double a, double b) {
        if (Double.isNaN(a) && Double.isNaN(b)) {
            return true;
        }
        if (a == b) {
            return true;
        }
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || diff < MIN_NORMAL) {
            return diff < EPSILON * MIN_NORMAL;
        }
        return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
    }

    private record AtVariant(Expr expr, boolean unsafe) {
    }

    /**
     * test.go's atModifierTestCases: every selector and subquery without {@code @} gets {@code @ <eval time>}; the
     * inside of a subquery is left alone. Unsafe when a time-dependent function appears outside subqueries.
     */
    private static AtVariant withAtModifier(Expr expr, long timeMillis) {
        boolean[] unsafe = new boolean[1];
        Expr rewritten = rewrite(expr, AtModifier.at(timeMillis), unsafe);
        return new AtVariant(rewritten, unsafe[0]);
    }

    private static Expr rewrite(Expr expr, AtModifier at, boolean[] unsafe) {
        return switch (expr) {
            case VectorSelector s -> s.at() != null ? s
                    : new VectorSelector(s.name(), s.matchers(), s.offsetMillis(), at, s.position());
            case MatrixSelector m -> new MatrixSelector((VectorSelector) rewrite(m.selector(), at, unsafe), m.rangeMillis(),
                    m.position());
            case SubqueryExpr s -> s.at() != null ? s
                    : new SubqueryExpr(s.expr(), s.rangeMillis(), s.stepMillis(), s.offsetMillis(), at, s.position());
            case ParenExpr p -> new ParenExpr(rewrite(p.expr(), at, unsafe), p.position());
            case StepInvariantExpr s -> new StepInvariantExpr(rewrite(s.expr(), at, unsafe), s.position());
            case UnaryExpr u -> new UnaryExpr(u.operator(), rewrite(u.expr(), at, unsafe), u.position());
            case BinaryExpr b -> new BinaryExpr(b.operator(), rewrite(b.lhs(), at, unsafe), rewrite(b.rhs(), at, unsafe),
                    b.matching(), b.returnBool(), b.position());
            case AggregateExpr a -> new AggregateExpr(a.operator(), rewrite(a.expr(), at, unsafe),
                    a.param() == null ? null : rewrite(a.param(), at, unsafe), a.grouping(), a.without(), a.position());
            case Call c -> {
                if (AT_MODIFIER_UNSAFE.contains(c.function().name())) {
                    unsafe[0] = true;
                }
                List<Expr> arguments = new ArrayList<>();
                for (Expr argument : c.arguments()) {
                    arguments.add(rewrite(argument, at, unsafe));
                }
                yield new Call(c.function(), arguments, c.position());
            }
            case NumberLiteral n -> n;
            case StringLiteral s -> s;
        };
    }
}
