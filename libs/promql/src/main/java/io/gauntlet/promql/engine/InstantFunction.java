package io.gauntlet.promql.engine;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** The functions over instant vectors and scalars (everything but the range-vector functions), one step at a time. */
final class InstantFunction implements StepFunction {
    private final String name;
    private final List<Expr> arguments;
    private final StepFunction body;

    private InstantFunction(String name, List<Expr> arguments, StepFunction body) {
        this.name = name;
        this.arguments = arguments;
        this.body = body;
    }

    @Override
    public void apply(StepVector[] vectors, long timestamp, StepVector out) {
        body.apply(vectors, timestamp, out);
    }

    @Override
    public String toString() {
        return name + arguments;
    }

    static InstantFunction create(Call call) {
        String name = call.function().name();
        List<Expr> arguments = call.arguments();
        return new InstantFunction(name, arguments, body(name, arguments));
    }

    private static StepFunction simple(DoubleUnaryOperator operation) {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), operation.applyAsDouble(in.values[i]));
            }
        };
    }

    /** The per-value operation of the functions that map each sample on its own (and drop the name); else null. */
    static DoubleUnaryOperator elementOperation(String name) {
        return switch (name) {
            case "abs" -> Math::abs;
            case "ceil" -> Math::ceil;
            case "floor" -> Math::floor;
            case "exp" -> GoMath::exp;
            case "sqrt" -> Math::sqrt;
            case "ln" -> GoMath::log;
            case "log2" -> GoMath::log2;
            case "log10" -> GoMath::log10;
            case "sin" -> GoMath::sin;
            case "cos" -> GoMath::cos;
            case "tan" -> GoMath::tan;
            case "asin" -> GoMath::asin;
            case "acos" -> GoMath::acos;
            case "atan" -> GoMath::atan;
            case "sinh" -> GoMath::sinh;
            case "cosh" -> GoMath::cosh;
            case "tanh" -> GoMath::tanh;
            case "asinh" -> GoMath::asinh;
            case "acosh" -> GoMath::acosh;
            case "atanh" -> GoMath::atanh;
            case "rad" -> v -> v * Math.PI / 180;
            case "deg" -> v -> v * 180 / Math.PI;
            case "sgn" -> v -> v < 0 ? -1 : v > 0 ? 1 : v;
            default -> null;
        };
    }

    private static StepFunction body(String name, List<Expr> arguments) {
        return switch (name) {
            case "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sin", "cos", "tan", "asin", "acos",
                    "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "rad", "deg", "sgn" ->
                simple(elementOperation(name));
            case "pi" -> (args, ts, out) -> out.add(Labels.EMPTY, Math.PI);
            case "time" -> (args, ts, out) -> out.add(Labels.EMPTY, (double) ts / 1000);
            case "vector" -> (args, ts, out) -> out.add(Labels.EMPTY, args[0].values[0]);
            case "scalar" -> (args, ts, out) -> out.add(Labels.EMPTY, args[0].size == 1 ? args[0].values[0] : Double.NaN);
            case "timestamp" -> {
                NameDropper names = new NameDropper();
                yield (args, ts, out) -> {
                    StepVector in = args[0];
                    for (int i = 0; i < in.size; i++) {
                        // samples of a computed vector carry the step time
                        out.add(names.drop(in, i), (double) ts / 1000);
                    }
                };
            }
            case "absent" -> {
                Labels labels = absentLabels(arguments.get(0));
                yield (args, ts, out) -> {
                    if (args[0].size == 0) {
                        out.add(labels, 1);
                    }
                };
            }
            case "clamp" -> clamp();
            case "clamp_max" -> clampMax();
            case "clamp_min" -> clampMin();
            case "round" -> round();
            case "sort" -> (args, ts, out) -> sorted(args[0], false, out);
            case "sort_desc" -> (args, ts, out) -> sorted(args[0], true, out);
            case "histogram_quantile" -> new HistogramQuantile();
            case "histogram_count" -> histogramField(false);
            case "histogram_sum" -> histogramField(true);
            case "histogram_fraction" -> histogramFraction();
            case "label_replace" -> labelReplace(arguments);
            case "label_join" -> labelJoin(arguments);
            case "days_in_month" -> date(GoTime::daysInMonth);
            case "day_of_month" -> date(t -> t.day);
            case "day_of_week" -> date(t -> t.weekday);
            case "day_of_year" -> date(t -> t.yearDay);
            case "hour" -> date(t -> t.hour);
            case "minute" -> date(t -> t.minute);
            case "month" -> date(t -> t.month);
            case "year" -> date(t -> t.year);
            default -> throw QueryExecutionException.badData("unknown function " + name);
        };
    }

    private static StepFunction clamp() {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            double min = args[1].values[0];
            double max = args[2].values[0];
            if (max < min) {
                return;
            }
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), Math.max(min, Math.min(max, in.values[i])));
            }
        };
    }

    private static StepFunction clampMax() {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            double max = args[1].values[0];
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), Math.min(max, in.values[i]));
            }
        };
    }

    private static StepFunction clampMin() {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            double min = args[1].values[0];
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), Math.max(min, in.values[i]));
            }
        };
    }

    private static StepFunction round() {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            double toNearest = args.length >= 2 ? args[1].values[0] : 1;
            // the inverse gives fewer floating point surprises, as in Prometheus
            double inverse = 1.0 / toNearest;
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), Math.floor(in.values[i] * inverse + 0.5) / inverse);
            }
        };
    }

    private interface DateField {
        double of(GoTime time);
    }

    private static StepFunction date(DateField field) {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            if (args.length == 0) {
                out.add(Labels.EMPTY, field.of(GoTime.ofUnixSeconds(ts / 1000)));
                return;
            }
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                out.add(names.drop(in, i), field.of(GoTime.ofUnixSeconds(GoTime.goInt64(in.values[i]))));
            }
        };
    }

    /** sort / sort_desc as Go sorts them (pattern-defeating quicksort): NaNs last, ties in Prometheus' order. */
    private static void sorted(StepVector in, boolean descending, StepVector out) {
        int n = in.size;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] v = in.values;
        GoSort.sort(new GoSort.Sortable() {
            @Override
            public boolean less(int i, int j) {
                double x = v[order[i]];
                double y = v[order[j]];
                return Double.isNaN(y) || (descending ? y < x : y > x);
            }

            @Override
            public void swap(int i, int j) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }, n);
        for (int i = 0; i < n; i++) {
            // sorting moves whole samples: histograms stay (ordered by the float beside them)
            out.add(in.labels[order[i]], v[order[i]], in.histograms[order[i]]);
        }
    }

    /** The labels absent() reports: the equality matchers of the selector, minus names matched otherwise too. */
    static Labels absentLabels(Expr argument) {
        Expr unwrapped = Evaluator.unwrap(argument);
        List<LabelMatcher> matchers;
        if (unwrapped instanceof VectorSelector selector) {
            matchers = selector.matchers();
        } else if (unwrapped instanceof MatrixSelector matrix) {
            matchers = matrix.selector().matchers();
        } else {
            return Labels.EMPTY;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> empty = new ArrayList<>();
        for (LabelMatcher matcher : matchers) {
            if (matcher.name().equals(Labels.METRIC_NAME)) {
                continue;
            }
            if (matcher.type() == LabelMatcher.Type.EQUAL && !labels.containsKey(matcher.name())) {
                labels.put(matcher.name(), matcher.value());
            } else {
                empty.add(matcher.name());
            }
        }
        empty.forEach(labels::remove);
        return Labels.fromMap(labels);
    }

    static String stringArgument(Expr expr) {
        if (Evaluator.unwrap(expr) instanceof StringLiteral literal) {
            return literal.value();
        }
        throw QueryExecutionException.badData("expected a string literal, got " + expr);
    }

    private static StepFunction labelReplace(List<Expr> arguments) {
        String destination = stringArgument(arguments.get(1));
        String replacement = stringArgument(arguments.get(2));
        String source = stringArgument(arguments.get(3));
        String regex = stringArgument(arguments.get(4));
        Pattern pattern;
        try {
            pattern = Pattern.compile("^(?:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw QueryExecutionException.execution("invalid regular expression in label_replace(): " + regex);
        }
        if (!LabelSets.isValidLabelName(destination)) {
            throw QueryExecutionException.execution("invalid destination label name in label_replace(): " + destination);
        }
        Map<Labels, Labels> cache = new HashMap<>();
        return (args, ts, out) -> {
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                Labels metric = in.labels[i];
                Labels result = cache.get(metric);
                if (result == null) {
                    String value = metric.get(source);
                    Matcher matcher = pattern.matcher(value);
                    if (!matcher.find()) {
                        result = metric;
                    } else {
                        String expanded = LabelReplacement.expand(replacement, matcher);
                        result = metric.toBuilder().delete(destination).set(destination, expanded).build();
                    }
                    cache.put(metric, result);
                }
                out.add(result, in.values[i]);
            }
        };
    }

    private static StepFunction labelJoin(List<Expr> arguments) {
        String destination = stringArgument(arguments.get(1));
        String separator = stringArgument(arguments.get(2));
        List<String> sources = new ArrayList<>();
        for (int a = 3; a < arguments.size(); a++) {
            String source = stringArgument(arguments.get(a));
            if (!LabelSets.isValidLabelName(source)) {
                throw QueryExecutionException.execution("invalid source label name in label_join(): " + source);
            }
            sources.add(source);
        }
        if (!LabelSets.isValidLabelName(destination)) {
            throw QueryExecutionException.execution("invalid destination label name in label_join(): " + destination);
        }
        Map<Labels, Labels> cache = new HashMap<>();
        return (args, ts, out) -> {
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                Labels metric = in.labels[i];
                Labels result = cache.get(metric);
                if (result == null) {
                    StringBuilder joined = new StringBuilder();
                    for (int s = 0; s < sources.size(); s++) {
                        if (s > 0) {
                            joined.append(separator);
                        }
                        joined.append(metric.get(sources.get(s)));
                    }
                    result = metric.toBuilder().set(destination, joined.toString()).build();
                    cache.put(metric, result);
                }
                out.add(result, in.values[i]);
            }
        };
    }

    /** histogram_count / histogram_sum: the count or sum of each native histogram sample (floats give nothing). */
    private static StepFunction histogramField(boolean sum) {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            StepVector in = args[0];
            for (int i = 0; i < in.size; i++) {
                FloatHistogram histogram = in.histograms[i];
                if (histogram != null) {
                    out.add(names.drop(in, i), sum ? histogram.sum() : histogram.count());
                }
            }
        };
    }

    /** histogram_fraction(lower, upper, v): the share of each native histogram's observations between the bounds. */
    private static StepFunction histogramFraction() {
        NameDropper names = new NameDropper();
        return (args, ts, out) -> {
            double lower = args[0].values[0];
            double upper = args[1].values[0];
            StepVector in = args[2];
            for (int i = 0; i < in.size; i++) {
                FloatHistogram histogram = in.histograms[i];
                if (histogram != null) {
                    out.add(names.drop(in, i), Quantiles.histogramFraction(lower, upper, histogram));
                }
            }
        };
    }

    /**
     * histogram_quantile over classic buckets (series grouped by their labels without {@code le}) and native
     * histograms. As in 2.42, a native histogram whose labels equal a classic group's gives no result, and neither does
     * that group; native results come first, then the classic groups.
     */
    private static final class HistogramQuantile implements StepFunction {
        private final Map<Labels, Labels> withoutLe = new HashMap<>();
        private final Map<Labels, Labels> outputLabels = new HashMap<>();
        private final NameDropper names = new NameDropper();
        private double[] bounds = new double[16];
        private double[] counts = new double[16];

        @Override
        public void apply(StepVector[] args, long ts, StepVector out) {
            double q = args[0].values[0];
            StepVector in = args[1];
            Map<Labels, List<Integer>> classic = new LinkedHashMap<>();
            double[] upperBounds = new double[in.size];
            List<Integer> natives = null;
            for (int i = 0; i < in.size; i++) {
                if (in.histograms[i] != null) {
                    if (natives == null) {
                        natives = new ArrayList<>();
                    }
                    natives.add(i);
                    continue;
                }
                Labels metric = in.labels[i];
                Double bound = parseGoFloat(metric.get("le"));
                if (bound == null) {
                    continue;
                }
                upperBounds[i] = bound;
                Labels signature = withoutLe.computeIfAbsent(metric, m -> m.toBuilder().delete("le").build());
                classic.computeIfAbsent(signature, k -> new ArrayList<>()).add(i);
            }
            if (natives != null) {
                for (int i : natives) {
                    if (classic.remove(in.labels[i]) != null) {
                        // classic buckets and a native histogram of the same series: neither is evaluated
                        continue;
                    }
                    out.add(names.drop(in, i), Quantiles.histogramQuantile(q, in.histograms[i]));
                }
            }
            for (Map.Entry<Labels, List<Integer>> histogram : classic.entrySet()) {
                List<Integer> members = histogram.getValue();
                int n = members.size();
                if (bounds.length < n) {
                    bounds = new double[n * 2];
                    counts = new double[n * 2];
                }
                for (int m = 0; m < n; m++) {
                    bounds[m] = upperBounds[members.get(m)];
                    counts[m] = in.values[members.get(m)];
                }
                Labels labels = outputLabels.computeIfAbsent(histogram.getKey(), LabelSets::dropMetricName);
                out.add(labels, Quantiles.bucketQuantile(q, bounds, counts, n));
            }
        }
    }

    /** Go's {@code strconv.ParseFloat} for the forms a {@code le} label takes; null when Go would reject it. */
    static Double parseGoFloat(String text) {
        if (text.isEmpty()) {
            return null;
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan" -> {
                return Double.NaN;
            }
            default -> {
            }
        }
        char last = lower.charAt(lower.length() - 1);
        if (last == 'd' || last == 'f' || Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(last)
                || lower.contains("infinity") || lower.contains("nan")) {
            return null;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
