package io.gauntlet.promql.engine;

import io.gauntlet.promql.DeepExpressions;
import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
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
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The PromQL engine with Prometheus 2.42 semantics. Thread-safe and stateless between queries: every query loads the
 * series it selects from the given {@link Queryable}, evaluates, and returns primitive-array results.
 */
public final class PromqlEngine {
    private final EngineOptions options;

    public PromqlEngine(EngineOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public PromqlEngine() {
        this(EngineOptions.defaults());
    }

    public EngineOptions options() {
        return options;
    }

    public QueryResult instantQuery(Queryable queryable, String query, long timeMillis) {
        return instantQuery(queryable, PromqlParser.parseExpr(query), timeMillis, null);
    }

    public QueryResult instantQuery(Queryable queryable, Expr expr, long timeMillis) {
        return instantQuery(queryable, expr, timeMillis, null);
    }

    /** Evaluates at one time; {@code cancellation} may be null. Deep expressions run on a deep-stack thread. */
    public QueryResult instantQuery(Queryable queryable, Expr expr, long timeMillis, QueryCancellation cancellation) {
        if (DeepExpressions.depth(expr) > DeepExpressions.INLINE_DEPTH) {
            return DeepExpressions.onDeepStack(() -> instantQueryHere(queryable, expr, timeMillis, cancellation));
        }
        return instantQueryHere(queryable, expr, timeMillis, cancellation);
    }

    private QueryResult instantQueryHere(Queryable queryable, Expr expr, long timeMillis, QueryCancellation cancellation) {
        validate(expr);
        EvaluationContext context = new EvaluationContext(options, timeMillis, timeMillis, cancellation);
        List<SeriesBuffer> series = evaluate(queryable, expr, context, 0, timeMillis, timeMillis, 1);
        if (series == null) {
            return new QueryResult(new StringResult(timeMillis, InstantFunction.stringArgument(expr)), context.warnings, context.samples);
        }
        QueryValue value = switch (expr.type()) {
            case SCALAR -> new ScalarResult(timeMillis, series.isEmpty() ? Double.NaN : series.get(0).values[0]);
            case VECTOR -> {
                Labels[] labels = new Labels[series.size()];
                double[] values = new double[series.size()];
                io.gauntlet.tsdb.histogram.FloatHistogram[] histograms = null;
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = series.get(i).labels;
                    values[i] = series.get(i).values[0];
                    if (series.get(i).histogram(0) != null) {
                        if (histograms == null) {
                            histograms = new io.gauntlet.tsdb.histogram.FloatHistogram[labels.length];
                        }
                        histograms[i] = series.get(i).histogram(0);
                    }
                }
                yield new VectorResult(timeMillis, labels, values, histograms);
            }
            case MATRIX -> matrix(series, false);
            default -> throw new QueryExecutionException(ErrorType.INTERNAL, "unexpected expression type " + expr.type());
        };
        return new QueryResult(value, context.warnings, context.samples);
    }

    public QueryResult rangeQuery(Queryable queryable, String query, long startMillis, long endMillis, long stepMillis) {
        return rangeQuery(queryable, PromqlParser.parseExpr(query), startMillis, endMillis, stepMillis, null);
    }

    public QueryResult rangeQuery(Queryable queryable, Expr expr, long startMillis, long endMillis, long stepMillis) {
        return rangeQuery(queryable, expr, startMillis, endMillis, stepMillis, null);
    }

    /** Evaluates at {@code start, start+step, …, end}; the result is a matrix sorted by labels. */
    public QueryResult rangeQuery(Queryable queryable, Expr expr, long startMillis, long endMillis, long stepMillis,
            QueryCancellation cancellation) {
        if (stepMillis <= 0) {
            throw QueryExecutionException.badData(
                    "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (endMillis < startMillis) {
            throw QueryExecutionException.badData("end timestamp must not be before start time");
        }
        if (expr.type() != ValueType.VECTOR && expr.type() != ValueType.SCALAR) {
            throw QueryExecutionException.badData("invalid expression type \"" + expr.type().documentedName()
                    + "\" for range query, must be Scalar or instant Vector");
        }
        if (DeepExpressions.depth(expr) > DeepExpressions.INLINE_DEPTH) {
            return DeepExpressions.onDeepStack(() -> rangeQueryHere(queryable, expr, startMillis, endMillis, stepMillis,
                    cancellation));
        }
        return rangeQueryHere(queryable, expr, startMillis, endMillis, stepMillis, cancellation);
    }

    private QueryResult rangeQueryHere(Queryable queryable, Expr expr, long startMillis, long endMillis, long stepMillis,
            QueryCancellation cancellation) {
        validate(expr);
        EvaluationContext context = new EvaluationContext(options, startMillis, endMillis, cancellation);
        List<SeriesBuffer> series = evaluate(queryable, expr, context, stepMillis, startMillis, endMillis, stepMillis);
        long sortStarted = System.nanoTime();
        MatrixResult sorted = matrix(series, true);
        context.samples.sortNanos = System.nanoTime() - sortStarted;
        return new QueryResult(sorted, context.warnings, context.samples);
    }

    private static List<SeriesBuffer> evaluate(Queryable queryable, Expr expr, EvaluationContext context, long hintStep,
            long start, long end, long interval) {
        context.samples = QueryStats.of(start, end, interval);
        long started = System.nanoTime();
        // open while a selection streams into the evaluation; closing it cancels what is left unread on failure
        try (Querier streaming = new SelectionPlanner(context, hintStep).load(queryable, expr)) {
            long loaded = System.nanoTime();
            context.samples.preparationNanos = loaded - started;
            if (Evaluator.unwrap(expr) instanceof StringLiteral) {
                return null;
            }
            List<SeriesBuffer> result = new Evaluator(context, start, end, interval).eval(expr);
            context.samples.innerEvalNanos = System.nanoTime() - loaded;
            return result;
        } catch (StorageException e) {
            throw new QueryExecutionException(ErrorType.EXECUTION, "expanding series: " + e.getMessage(), e);
        } catch (PromqlException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new QueryExecutionException(ErrorType.EXECUTION,
                    "query processing would load too many samples into memory in query execution", e);
        } catch (StackOverflowError e) {
            // last resort: deep expressions run on a stack sized for the depth bound, so this is not expected
            throw QueryExecutionException.badData("expression is nested too deeply to evaluate");
        } catch (RuntimeException e) {
            throw new QueryExecutionException(ErrorType.INTERNAL, "unexpected error: " + e, e);
        }
    }

    private static MatrixResult matrix(List<SeriesBuffer> series, boolean sorted) {
        List<RangeSeries> result = new ArrayList<>(series.size());
        for (SeriesBuffer buffer : series) {
            if (buffer.size > 0) {
                result.add(buffer.toRangeSeries());
            }
        }
        if (sorted) {
            result.sort(Comparator.comparing(RangeSeries::labels));
        }
        return new MatrixResult(result);
    }

    /** Rejects what the options disable: the {@code @} modifier and negative offsets. */
    private void validate(Expr expr) {
        switch (expr) {
            case VectorSelector selector -> {
                if (selector.at() != null && !options.enableAtModifier()) {
                    throw QueryExecutionException.badData("@ modifier is disabled");
                }
                if (selector.offsetMillis() < 0 && !options.enableNegativeOffset()) {
                    throw QueryExecutionException.badData("negative offset is disabled");
                }
            }
            case MatrixSelector matrix -> validate(matrix.selector());
            case SubqueryExpr subquery -> {
                if (subquery.at() != null && !options.enableAtModifier()) {
                    throw QueryExecutionException.badData("@ modifier is disabled");
                }
                if (subquery.offsetMillis() < 0 && !options.enableNegativeOffset()) {
                    throw QueryExecutionException.badData("negative offset is disabled");
                }
                validate(subquery.expr());
            }
            case ParenExpr paren -> validate(paren.expr());
            case StepInvariantExpr invariant -> validate(invariant.expr());
            case UnaryExpr unary -> validate(unary.expr());
            case BinaryExpr binary -> {
                validate(binary.lhs());
                validate(binary.rhs());
            }
            case AggregateExpr aggregate -> {
                if (aggregate.param() != null) {
                    validate(aggregate.param());
                }
                validate(aggregate.expr());
            }
            case Call call -> call.arguments().forEach(this::validate);
            case NumberLiteral ignored -> {
            }
            case StringLiteral ignored -> {
            }
        }
    }
}
