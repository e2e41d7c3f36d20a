package io.gauntlet.promql.engine;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates an expression over the steps {@code start, start+interval, …, end} (one step for instant queries), as
 * Prometheus 2.42's evaluator does: every instant-vector or scalar node yields series with one point per step where
 * it has a value; range-vector nodes yield raw points. An {@code @} modifier pins a selector or subquery to its own
 * time instead of the step time, which is what Prometheus' step-invariant rewriting computes.
 */
final class Evaluator {
    private static final long STALE_NAN_BITS = 0x7ff0000000000002L;

    private final EvaluationContext context;
    private final long start;
    private final long end;
    private final long interval;

    Evaluator(EvaluationContext context, long start, long end, long interval) {
        this.context = context;
        this.start = start;
        this.end = end;
        this.interval = interval;
    }

    private int stepCount() {
        return start > end ? 0 : (int) ((end - start) / interval) + 1;
    }

    List<SeriesBuffer> eval(Expr expr) {
        context.checkCancelled();
        if (start != end && !(expr instanceof StepInvariantExpr) && !(unwrap(expr) instanceof NumberLiteral)
                && !(unwrap(expr) instanceof StringLiteral) && isStepInvariant(expr)) {
            // as Prometheus' PreprocessExpr: a subtree that only depends on @ times is evaluated once
            return stepInvariant(expr);
        }
        return switch (expr) {
            case NumberLiteral number -> constant(number.value());
            case StringLiteral string -> throw new QueryExecutionException(ErrorType.INTERNAL,
                    "string literal evaluated as a series: " + string);
            case ParenExpr paren -> eval(paren.expr());
            case StepInvariantExpr invariant -> stepInvariant(invariant.expr());
            case UnaryExpr unary -> unary(unary);
            case BinaryExpr binary -> binary(binary);
            case AggregateExpr aggregate -> aggregate(aggregate);
            case Call call -> call(call);
            case VectorSelector selector -> vectorSelector(selector, false);
            case MatrixSelector matrix -> matrixSelector(matrix);
            case SubqueryExpr subquery -> subquery(subquery);
        };
    }

    static Expr unwrap(Expr expr) {
        Expr current = expr;
        while (true) {
            if (current instanceof ParenExpr paren) {
                current = paren.expr();
            } else if (current instanceof StepInvariantExpr invariant) {
                current = invariant.expr();
            } else {
                return current;
            }
        }
    }

    // ---- leaves

    private List<SeriesBuffer> constant(double value) {
        int steps = stepCount();
        // count before allocating: a subquery of millions of steps fails on the budget instead of filling the heap
        context.addSamples(steps);
        SeriesBuffer series = new SeriesBuffer(Labels.EMPTY, steps);
        for (long ts = start; ts <= end; ts += interval) {
            series.add(ts, value);
        }
        List<SeriesBuffer> result = new ArrayList<>(1);
        result.add(series);
        return result;
    }

    /**
     * The newest sample at or before each step's reference time within the lookback window, unless it is a staleness
     * marker. With {@code sampleTimestamps} the value is the sample's time in seconds (for timestamp()).
     */
    private List<SeriesBuffer> vectorSelector(VectorSelector selector, boolean sampleTimestamps) {
        SeriesBuffer[] loaded = context.selection(selector);
        long offset = selector.offsetMillis();
        Long at = context.resolve(selector.at());
        long lookback = context.options.lookbackDeltaMillis();
        int steps = stepCount();
        List<SeriesBuffer> result = new ArrayList<>(loaded.length);
        for (SeriesBuffer series : loaded) {
            context.checkCancelled();
            SeriesBuffer out = null;
            int cursor = 0;
            for (long ts = start; ts <= end; ts += interval) {
                long reference;
                if (at == null) {
                    reference = ts - offset;
                } else {
                    // Prometheus' timestamp() over a selector with @ looks back from the @ time itself; the offset
                    // only shows through the selection being trimmed to end at @ - offset
                    reference = sampleTimestamps ? at : at - offset;
                }
                if (cursor > 0 && series.timestamps[cursor - 1] > reference) {
                    cursor = 0;
                }
                while (cursor < series.size && series.timestamps[cursor] <= reference) {
                    cursor++;
                }
                if (at == null && series.size > 0) {
                    // skip the steps before the first sample and stop after the last one's lookback: a subquery
                    // of billions of steps over a short series must not walk every step
                    if (cursor == 0) {
                        ts += (series.timestamps[0] - reference - 1) / interval * interval;
                        continue;
                    }
                    if (cursor == series.size && series.timestamps[cursor - 1] < reference - lookback) {
                        break;
                    }
                }
                int index = cursor - 1;
                if (index < 0 || series.timestamps[index] < reference - lookback
                        || Double.doubleToRawLongBits(series.values[index]) == STALE_NAN_BITS
                        || series.histograms != null && series.histograms[index] != null
                        && Double.doubleToRawLongBits(series.histograms[index].sum()) == STALE_NAN_BITS) {
                    continue;
                }
                if (out == null) {
                    // grow on demand: a sparse series in a long range query should not reserve every step
                    out = new SeriesBuffer(series.labels, Math.min(steps, 256));
                }
                if (sampleTimestamps) {
                    out.add(ts, (double) series.timestamps[index] / 1000);
                } else {
                    out.add(ts, series.values[index], series.histogram(index));
                }
                context.addSamples(1);
                context.samples.incrementAtStep((int) ((ts - start) / interval), 1);
            }
            if (out != null) {
                result.add(out);
            }
        }
        return result;
    }

    /** A range selector evaluated on its own (instant queries only): the raw samples of each window. */
    private List<SeriesBuffer> matrixSelector(MatrixSelector matrix) {
        if (start != end) {
            throw new QueryExecutionException(ErrorType.INTERNAL, "cannot do range evaluation of matrix selector");
        }
        SeriesBuffer[] loaded = context.selection(matrix.selector());
        Long at = context.resolve(matrix.selector().at());
        long maxt = (at == null ? start : at) - matrix.selector().offsetMillis();
        long mint = maxt - matrix.rangeMillis();
        List<SeriesBuffer> result = new ArrayList<>();
        for (SeriesBuffer series : loaded) {
            context.checkCancelled();
            SeriesBuffer out = null;
            for (int i = 0; i < series.size; i++) {
                long t = series.timestamps[i];
                if (t >= mint && t <= maxt) {
                    if (out == null) {
                        out = new SeriesBuffer(series.labels, 16);
                    }
                    out.add(t, series.values[i], series.histogram(i));
                }
            }
            context.samples.incrementAtTimestamp(start, out == null ? 0 : out.size);
            if (out != null) {
                context.addSamples(out.size);
                result.add(out);
            }
        }
        return result;
    }

    /** Evaluates the subquery's inner expression at its own aligned steps; the points are its raw samples. */
    private List<SeriesBuffer> subquery(SubqueryExpr subquery) {
        // as Prometheus: the inner samples count once, at the end of the range, when the subquery is not an argument
        QueryStats inner = context.samples.child();
        List<SeriesBuffer> result = context.withChildSamples(inner,
                () -> subquery(subquery, context.resolve(subquery.at()), subquery.offsetMillis()));
        context.samples.incrementAtTimestamp(end, inner.total());
        return result;
    }

    private List<SeriesBuffer> subquery(SubqueryExpr subquery, Long at, long offset) {
        long range = subquery.rangeMillis();
        long step = subquery.stepMillis() != 0 ? subquery.stepMillis() : context.options.defaultSubqueryStepMillis();
        long baseStart = at == null ? start : at;
        long baseEnd = at == null ? end : at;
        long first = baseStart - offset - range;
        // the first step at or after the range start that is a multiple of the step (absolute alignment)
        long alignedStart = step * (first / step);
        if (alignedStart < first) {
            alignedStart += step;
        }
        return new Evaluator(context, alignedStart, baseEnd - offset, step).eval(subquery.expr());
    }

    /** Evaluates once at the first step and repeats the value for every step. */
    private List<SeriesBuffer> stepInvariant(Expr inner) {
        if (start == end) {
            return eval(inner);
        }
        Expr unwrapped = unwrap(inner);
        if (unwrapped instanceof NumberLiteral || unwrapped instanceof StringLiteral) {
            return eval(inner);
        }
        QueryStats onceSamples = context.samples.child();
        List<SeriesBuffer> once = context.withChildSamples(onceSamples, () -> new Evaluator(context, start, start, interval).eval(inner));
        // as Prometheus: what the single evaluation read counts at every step
        for (int step = 0; step < stepCount(); step++) {
            context.samples.incrementAtStep(step, onceSamples.total());
        }
        if (unwrapped instanceof MatrixSelector || unwrapped instanceof SubqueryExpr) {
            return once;
        }
        int steps = stepCount();
        List<SeriesBuffer> result = new ArrayList<>(once.size());
        for (SeriesBuffer series : once) {
            // count before allocating: a subquery of millions of steps fails on the budget instead of filling the heap
            context.addSamples(steps - 1);
            SeriesBuffer repeated = new SeriesBuffer(series.labels, steps);
            for (long ts = start; ts <= end; ts += interval) {
                repeated.add(ts, series.values[0], series.histogram(0));
            }
            result.add(repeated);
        }
        return result;
    }

    // ---- step-wise evaluation

    /**
     * Gathers, for every step, the points of each input at that step into instant vectors, runs the operator and
     * collects its output into series. For a single step the output order is kept (sort, topk).
     */
    private List<SeriesBuffer> rangeEval(List<List<SeriesBuffer>> inputs, StepFunction function) {
        return rangeEval(inputs, function, true);
    }

    private List<SeriesBuffer> rangeEval(List<List<SeriesBuffer>> inputs, StepFunction function, boolean checkDuplicates) {
        int steps = stepCount();
        int inputCount = inputs.size();
        StepVector[] vectors = new StepVector[inputCount];
        int[][] cursors = new int[inputCount][];
        long inputSamples = 0;
        int biggest = 1;
        for (int i = 0; i < inputCount; i++) {
            List<SeriesBuffer> input = inputs.get(i);
            int size = input == null ? 0 : input.size();
            vectors[i] = new StepVector(size);
            cursors[i] = new int[size];
            biggest = Math.max(biggest, size);
            if (input != null) {
                for (SeriesBuffer series : input) {
                    inputSamples += series.size;
                }
            }
        }
        StepVector out = new StepVector(biggest);
        Map<Labels, SeriesBuffer> outputs = new LinkedHashMap<>();
        Set<Labels> seen = new HashSet<>();
        List<SeriesBuffer> single = null;
        // outputs usually repeat from step to step in the same order with the same label objects: remember them
        // by position to skip hashing (a prefix of a checked distinct list is distinct too)
        Labels[] previousLabels = new Labels[0];
        SeriesBuffer[] previousSeries = new SeriesBuffer[0];
        int previousSize = 0;
        for (long ts = start; ts <= end; ts += interval) {
            context.checkCancelled();
            for (int i = 0; i < inputCount; i++) {
                StepVector vector = vectors[i];
                vector.clear();
                List<SeriesBuffer> input = inputs.get(i);
                if (input == null) {
                    continue;
                }
                int[] cursor = cursors[i];
                for (int s = 0; s < input.size(); s++) {
                    SeriesBuffer series = input.get(s);
                    int c = cursor[s];
                    if (c < series.size && series.timestamps[c] == ts) {
                        vector.add(series.labels, series.values[c], series.histogram(c), s);
                        cursor[s] = c + 1;
                    }
                }
            }
            out.clear();
            function.apply(vectors, ts, out);
            boolean repeated = out.size <= previousSize;
            for (int o = 0; repeated && o < out.size; o++) {
                repeated = out.labels[o] == previousLabels[o];
            }
            if (checkDuplicates && out.size > 1 && !repeated) {
                seen.clear();
                for (int o = 0; o < out.size; o++) {
                    if (!seen.add(out.labels[o])) {
                        throw QueryExecutionException.execution("vector cannot contain metrics with the same labelset");
                    }
                }
            }
            context.addSamples(out.size);
            if (start == end) {
                single = new ArrayList<>(out.size);
                for (int o = 0; o < out.size; o++) {
                    SeriesBuffer series = new SeriesBuffer(out.labels[o], 1);
                    series.add(ts, out.values[o], out.histograms[o]);
                    single.add(series);
                }
                break;
            }
            if (!repeated) {
                if (previousLabels.length < out.size) {
                    previousLabels = new Labels[out.labels.length];
                    previousSeries = new SeriesBuffer[out.labels.length];
                }
                for (int o = 0; o < out.size; o++) {
                    SeriesBuffer series = outputs.get(out.labels[o]);
                    if (series == null) {
                        series = new SeriesBuffer(out.labels[o], Math.min(steps, 16));
                        outputs.put(out.labels[o], series);
                    }
                    previousLabels[o] = out.labels[o];
                    previousSeries[o] = series;
                }
                java.util.Arrays.fill(previousLabels, out.size, previousSize > out.size ? previousSize : out.size, null);
                previousSize = out.size;
            }
            for (int o = 0; o < out.size; o++) {
                previousSeries[o].add(ts, out.values[o], out.histograms[o]);
            }
        }
        context.releaseSamples(inputSamples);
        if (single != null) {
            return single;
        }
        return new ArrayList<>(outputs.values());
    }

    private static List<List<SeriesBuffer>> inputs(List<SeriesBuffer> first) {
        List<List<SeriesBuffer>> inputs = new ArrayList<>(1);
        inputs.add(first);
        return inputs;
    }

    private static List<List<SeriesBuffer>> inputs(List<SeriesBuffer> first, List<SeriesBuffer> second) {
        List<List<SeriesBuffer>> inputs = new ArrayList<>(2);
        inputs.add(first);
        inputs.add(second);
        return inputs;
    }

    // ---- operators

    private List<SeriesBuffer> unary(UnaryExpr unary) {
        List<SeriesBuffer> inner = eval(unary.expr());
        if (unary.operator() != BinaryOperator.SUB) {
            return inner;
        }
        List<SeriesBuffer> result = new ArrayList<>(inner.size());
        Set<Labels> seen = new HashSet<>();
        boolean duplicate = false;
        for (SeriesBuffer series : inner) {
            SeriesBuffer negated = series.withLabels(LabelSets.dropMetricName(series.labels));
            for (int i = 0; i < negated.size; i++) {
                negated.values[i] = -negated.values[i];
            }
            duplicate |= !seen.add(negated.labels);
            result.add(negated);
        }
        if (duplicate) {
            throw QueryExecutionException.execution("vector cannot contain metrics with the same labelset");
        }
        return result;
    }

    private List<SeriesBuffer> binary(BinaryExpr binary) {
        BinaryOperator operator = binary.operator();
        ValueType lhsType = binary.lhs().type();
        ValueType rhsType = binary.rhs().type();
        List<SeriesBuffer> lhs = eval(binary.lhs());
        List<SeriesBuffer> rhs = eval(binary.rhs());
        boolean returnBool = binary.returnBool();
        if (lhsType == ValueType.SCALAR && rhsType == ValueType.SCALAR) {
            return rangeEval(inputs(lhs, rhs), (args, ts, out) -> out.add(Labels.EMPTY,
                    BinaryOperations.scalarScalar(operator, args[0].values[0], args[1].values[0])));
        }
        if (lhsType != rhsType) {
            boolean scalarOnLeft = lhsType == ValueType.SCALAR;
            List<SeriesBuffer> vector = scalarOnLeft ? rhs : lhs;
            double[] scalar = perStep(scalarOnLeft ? lhs : rhs);
            boolean dropName = BinaryOperations.dropsMetricName(operator) || returnBool;
            boolean comparison = operator.isComparison();
            // 2.42 changes only the float of a vector element: a histogram sample keeps its histogram
            return elementWise(vector, dropName ? LabelSets::dropMetricName : labels -> labels, true, new SampleOperation() {
                @Override
                public boolean keep(double value, int step) {
                    return returnBool || !comparison || (scalarOnLeft
                            ? BinaryOperations.comparisonHolds(operator, scalar[step], value)
                            : BinaryOperations.comparisonHolds(operator, value, scalar[step]));
                }

                @Override
                public double value(double value, int step) {
                    double left = scalarOnLeft ? scalar[step] : value;
                    double right = scalarOnLeft ? value : scalar[step];
                    if (returnBool) {
                        return BinaryOperations.comparisonHolds(operator, left, right) ? 1 : 0;
                    }
                    // a comparison keeps the vector element's value on either side
                    return comparison ? value : BinaryOperations.arithmetic(operator, left, right);
                }
            }, () -> {
                NameDropper names = new NameDropper();
                return rangeEval(inputs(lhs, rhs), (args, ts, out) -> BinaryOperations.vectorScalar(operator,
                        args[scalarOnLeft ? 1 : 0], args[scalarOnLeft ? 0 : 1].values[0], scalarOnLeft, returnBool,
                        names, out));
            });
        }
        VectorMatching matching = binary.matching() != null ? binary.matching()
                : new VectorMatching(operator.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE,
                        List.of(), false, List.of());
        VectorMatcher matcher = new VectorMatcher(lhs, rhs, matching);
        return switch (operator) {
            case AND -> rangeEval(inputs(lhs, rhs), (args, ts, out) -> matcher.and(args[0], args[1], out));
            case OR -> rangeEval(inputs(lhs, rhs), (args, ts, out) -> matcher.or(args[0], args[1], out));
            case UNLESS -> rangeEval(inputs(lhs, rhs), (args, ts, out) -> matcher.unless(args[0], args[1], out));
            default -> rangeEval(inputs(lhs, rhs),
                    (args, ts, out) -> matcher.arithmetic(operator, args[0], args[1], returnBool, out));
        };
    }

    private List<SeriesBuffer> aggregate(AggregateExpr aggregate) {
        AggregateOperator operator = aggregate.operator();
        List<String> grouping = aggregate.grouping().stream().sorted().toList();
        Expr parameter = aggregate.param() == null ? null : unwrap(aggregate.param());
        String valueLabel = null;
        List<SeriesBuffer> parameterSeries = null;
        if (operator == AggregateOperator.COUNT_VALUES) {
            if (!(parameter instanceof StringLiteral literal)) {
                throw QueryExecutionException.badData("count_values needs a string parameter");
            }
            valueLabel = literal.value();
            if (!LabelSets.isValidLabelName(valueLabel)) {
                throw QueryExecutionException.execution("invalid label name " + GoFormat.quote(valueLabel));
            }
        } else if (aggregate.param() != null) {
            parameterSeries = eval(aggregate.param());
        }
        List<SeriesBuffer> input = eval(aggregate.expr());
        Aggregator aggregator = new Aggregator(operator, grouping, aggregate.without(), input, valueLabel);
        long inputSamples = 0;
        for (SeriesBuffer series : input) {
            inputSamples += series.size;
        }
        // a range query's sum, avg, min, max, count…: one pass over each series instead of a vector per step, when the
        // per group and step accumulators take no more room than the input does
        if (parameterSeries == null && start != end && aggregator.foldsSeriesBySeries(input)
                && (long) aggregator.groupCount() * stepCount() <= Math.max(65_536, inputSamples)) {
            List<SeriesBuffer> folded = aggregator.fold(input, start, interval, stepCount(), context);
            context.releaseSamples(inputSamples);
            return folded;
        }
        boolean hasParameter = parameterSeries != null;
        // groups have distinct labels and topk/bottomk pass distinct input series: no duplicate check needed
        return rangeEval(inputs(parameterSeries, input), (args, ts, out) -> {
            double value = hasParameter && args[0].size > 0 ? args[0].values[0] : Double.NaN;
            aggregator.aggregate(value, args[1], out);
        }, false);
    }

    // ---- functions

    private List<SeriesBuffer> call(Call call) {
        String name = call.function().name();
        List<Expr> arguments = call.arguments();
        for (int i = 0; i < arguments.size(); i++) {
            Expr argument = unwrap(arguments.get(i));
            if (argument instanceof MatrixSelector || argument instanceof SubqueryExpr) {
                return rangeFunction(call, i, argument);
            }
        }
        if (name.equals("timestamp")) {
            Expr argument = unwrap(arguments.get(0));
            if (argument instanceof VectorSelector selector) {
                List<SeriesBuffer> times = vectorSelector(selector, true);
                NameDropper names = new NameDropper();
                return rangeEval(inputs(times), (args, ts, out) -> {
                    StepVector in = args[0];
                    for (int i = 0; i < in.size; i++) {
                        out.add(names.drop(in, i), in.values[i]);
                    }
                });
            }
        }
        List<List<SeriesBuffer>> inputs = new ArrayList<>(arguments.size());
        for (Expr argument : arguments) {
            inputs.add(argument.type() == ValueType.STRING ? null : eval(argument));
        }
        InstantFunction function = InstantFunction.create(call);
        java.util.function.DoubleUnaryOperator operation = InstantFunction.elementOperation(call.function().name());
        if (operation != null) {
            return elementWise(inputs.get(0), LabelSets::dropMetricName, false, new SampleOperation() {
                @Override
                public boolean keep(double value, int step) {
                    return true;
                }

                @Override
                public double value(double value, int step) {
                    return operation.applyAsDouble(value);
                }
            }, () -> rangeEval(inputs, function));
        }
        if (start != end && (name.equals("label_replace") || name.equals("label_join"))) {
            List<SeriesBuffer> relabelled = relabelled(inputs.get(0), function);
            if (relabelled != null) {
                return relabelled;
            }
        }
        return rangeEval(inputs, function);
    }

    /**
     * label_replace / label_join over float series without step vectors: each series keeps its points, arrays shared,
     * under its new labels, in the order the step-wise evaluation would have produced them (by first point, then input
     * order). Null when the new label sets are not distinct or a series holds histograms: the step-wise evaluation then
     * fails or drops them exactly as Prometheus does.
     */
    private List<SeriesBuffer> relabelled(List<SeriesBuffer> input, StepFunction function) {
        StepVector[] one = {new StepVector(1)};
        StepVector out = new StepVector(1);
        List<SeriesBuffer> result = new ArrayList<>(input.size());
        Set<Labels> seen = new HashSet<>();
        long samples = 0;
        for (SeriesBuffer series : input) {
            context.checkCancelled();
            if (series.histograms != null) {
                return null;
            }
            if (series.size == 0) {
                continue;
            }
            one[0].clear();
            one[0].add(series.labels, series.values[0], 0);
            out.clear();
            function.apply(one, series.timestamps[0], out);
            if (!seen.add(out.labels[0])) {
                return null;
            }
            result.add(series.withLabels(out.labels[0]));
            samples += series.size;
        }
        result.sort(java.util.Comparator.comparingLong(series -> series.timestamps[0])); // stable: input order within a step
        context.addSamples(samples);
        context.releaseSamples(samples);
        return result;
    }

    /** An operation on one sample that needs nothing but its value and the step's scalars. */
    private interface SampleOperation {
        boolean keep(double value, int step);

        double value(double value, int step);
    }

    /** One value per step of a scalar-typed result (NaN where it has none). */
    private double[] perStep(List<SeriesBuffer> scalar) {
        double[] values = new double[stepCount()];
        java.util.Arrays.fill(values, Double.NaN);
        for (SeriesBuffer series : scalar) {
            for (int p = 0; p < series.size; p++) {
                values[(int) ((series.timestamps[p] - start) / interval)] = series.values[p];
            }
        }
        return values;
    }

    /**
     * Applies a per-sample operation series by series, without gathering step vectors, when the output label sets
     * are distinct; otherwise the step-wise evaluation runs so that a duplicate fails exactly where Prometheus fails.
     */
    private List<SeriesBuffer> elementWise(List<SeriesBuffer> input, java.util.function.UnaryOperator<Labels> relabel,
            boolean keepHistograms, SampleOperation operation, java.util.function.Supplier<List<SeriesBuffer>> stepWise) {
        Labels[] labels = new Labels[input.size()];
        Set<Labels> seen = new HashSet<>();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = relabel.apply(input.get(i).labels);
            if (!seen.add(labels[i])) {
                return stepWise.get();
            }
        }
        List<SeriesBuffer> result = new ArrayList<>(input.size());
        long produced = 0;
        long consumed = 0;
        for (int i = 0; i < labels.length; i++) {
            context.checkCancelled();
            SeriesBuffer in = input.get(i);
            consumed += in.size;
            SeriesBuffer out = null;
            for (int p = 0; p < in.size; p++) {
                int step = (int) ((in.timestamps[p] - start) / interval);
                double value = in.values[p];
                if (!operation.keep(value, step)) {
                    continue;
                }
                if (out == null) {
                    out = new SeriesBuffer(labels[i], in.size);
                }
                out.add(in.timestamps[p], operation.value(value, step), keepHistograms ? in.histogram(p) : null);
            }
            if (out != null) {
                produced += out.size;
                result.add(out);
            }
        }
        context.addSamples(produced);
        context.releaseSamples(consumed);
        return result;
    }

    /** A function over a range vector: slides the window over each series' samples, one value per step. */
    private List<SeriesBuffer> rangeFunction(Call call, int matrixIndex, Expr matrixArgument) {
        RangeFunctionEvaluator.RangeKind kind = RangeFunctionEvaluator.rangeKind(call.function().name());
        int steps = stepCount();
        // scalar arguments, one value per step
        List<Expr> arguments = call.arguments();
        double[][] scalars = new double[arguments.size()][];
        for (int a = 0; a < arguments.size(); a++) {
            if (a == matrixIndex) {
                continue;
            }
            double[] perStep = new double[steps];
            java.util.Arrays.fill(perStep, Double.NaN);
            for (SeriesBuffer series : eval(arguments.get(a))) {
                for (int p = 0; p < series.size; p++) {
                    perStep[(int) ((series.timestamps[p] - start) / interval)] = series.values[p];
                }
            }
            scalars[a] = perStep;
        }
        SeriesBuffer[] source;
        long offset;
        long range;
        Long at;
        if (matrixArgument instanceof MatrixSelector matrix) {
            offset = matrix.selector().offsetMillis();
            range = matrix.rangeMillis();
            at = context.resolve(matrix.selector().at());
        } else {
            SubqueryExpr subquery = (SubqueryExpr) matrixArgument;
            offset = subquery.offsetMillis();
            range = subquery.rangeMillis();
            at = context.resolve(subquery.at());
        }
        if (at != null && !isStepInvariant(call)) {
            // Prometheus turns @ into an offset relative to the evaluation start; when the call is not evaluated
            // once for all steps (predict_linear, or a step-dependent argument) the window then moves with the step
            offset += start - at;
            at = null;
        }
        RangeFunctionEvaluator windows = new RangeFunctionEvaluator(context, start, end, interval);
        SelectionPlanner.StreamedSelection streamed = matrixArgument instanceof MatrixSelector matrix
                ? context.streamedSelection(matrix.selector()) : null;
        if (streamed != null) {
            streamed.start();
            List<SeriesBuffer> result = windows.evaluate(kind, streamed::next, scalars, offset, range, at);
            return kind == RangeFunctionEvaluator.RangeKind.ABSENT
                    ? windows.absentOverTime(result, call.arguments().get(matrixIndex), steps) : result;
        }
        if (matrixArgument instanceof MatrixSelector matrix) {
            source = context.selection(matrix.selector());
        } else {
            // as Prometheus: a function's subquery counts only the windows the function reads, not its inner samples
            Long pinned = at;
            long shifted = offset;
            source = context.withChildSamples(context.samples.child(),
                    () -> subquery((SubqueryExpr) matrixArgument, pinned, shifted)).toArray(SeriesBuffer[]::new);
        }
        List<SeriesBuffer> result = windows.evaluate(kind, source, scalars, offset, range, at);
        if (matrixArgument instanceof SubqueryExpr) {
            // the subquery's points are no longer held once the function has consumed them
            long held = 0;
            for (SeriesBuffer series : source) {
                held += series.size;
            }
            context.releaseSamples(held);
        }
        if (kind == RangeFunctionEvaluator.RangeKind.ABSENT) {
            return windows.absentOverTime(result, call.arguments().get(matrixIndex), steps);
        }
        return result;
    }

    /** Functions whose value depends on the evaluation time even when their arguments do not (2.42's list). */
    private static final Set<String> AT_MODIFIER_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week",
            "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp");

    /** Prometheus' step-invariance rule (preprocessExprHelper): what uses @ or literals only and no clock. */
    /** Whether the value of {@code expr} does not depend on the step (only on @ times); memoised per query. */
    boolean isStepInvariant(Expr expr) {
        Boolean known = context.stepInvariance.get(expr);
        if (known != null) {
            return known;
        }
        boolean invariant = switch (expr) {
            case VectorSelector selector -> selector.at() != null;
            case MatrixSelector matrix -> matrix.selector().at() != null;
            case SubqueryExpr subquery -> subquery.at() != null;
            case NumberLiteral ignored -> true;
            case StringLiteral ignored -> true;
            case StepInvariantExpr ignored -> true;
            case ParenExpr paren -> isStepInvariant(paren.expr());
            case UnaryExpr unary -> isStepInvariant(unary.expr());
            case AggregateExpr aggregate -> isStepInvariant(aggregate.expr());
            case BinaryExpr binary -> isStepInvariant(binary.lhs()) & isStepInvariant(binary.rhs());
            case Call call -> {
                boolean all = !AT_MODIFIER_UNSAFE.contains(call.function().name());
                for (Expr argument : call.arguments()) {
                    all &= isStepInvariant(argument);
                }
                yield all;
            }
        };
        context.stepInvariance.put(expr, invariant);
        return invariant;
    }
}
