package io.gauntlet.promql.engine;

import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregation operators of Prometheus 2.42 over one step: groups in order of first appearance, sum plain,
 * avg as an incremental mean that survives overflow, topk/bottomk with Go's heap order, count_values with the
 * value formatted as Go's 'f' format. Groups are numbered once per query; a step works on arrays indexed by group.
 */
final class Aggregator {
    private final AggregateOperator operator;
    private final boolean without;
    private final int[] groupOfSeries; // per input series; unused for count_values (its group depends on the value)
    private final List<Labels> groupLabels;
    private final Map<Labels, Integer> groupIds = new HashMap<>();
    private final String valueLabel;
    private final List<String> countValuesGrouping;

    // per-group state, valid when stamp[group] == epoch
    private int[] stamp;
    private double[] value;
    private double[] mean;
    private long[] count;
    private Labels[][] heapLabels;
    private double[][] heapValues;
    private int[] heapSize;
    private int[] order;
    private int epoch;
    private double[] quantileScratch = new double[16];
    // sum over native histograms (2.42 aggregates histograms with sum only; a group mixing them with floats is dropped)
    private FloatHistogram[] histogramValue;
    private boolean[] hasFloat;
    private boolean[] hasHistogram;

    Aggregator(AggregateOperator operator, List<String> grouping, boolean without, List<SeriesBuffer> input,
            String valueLabel) {
        this.operator = operator;
        this.without = without;
        this.valueLabel = valueLabel;
        this.groupLabels = new ArrayList<>();
        this.groupOfSeries = new int[input.size()];
        if (operator == AggregateOperator.COUNT_VALUES) {
            List<String> extended = new ArrayList<>(grouping);
            if (!without) {
                extended.add(valueLabel);
            }
            this.countValuesGrouping = extended;
        } else {
            this.countValuesGrouping = grouping;
            for (int i = 0; i < groupOfSeries.length; i++) {
                groupOfSeries[i] = groupId(groupLabels(input.get(i).labels, grouping, without));
            }
        }
        allocate(Math.max(4, groupLabels.size()));
    }

    private int groupId(Labels labels) {
        Integer id = groupIds.get(labels);
        if (id == null) {
            id = groupLabels.size();
            groupIds.put(labels, id);
            groupLabels.add(labels);
            if (stamp != null && id >= stamp.length) {
                allocate(stamp.length * 2);
            }
        }
        return id;
    }

    private void allocate(int groups) {
        int previous = stamp == null ? 0 : stamp.length;
        stamp = stamp == null ? new int[groups] : Arrays.copyOf(stamp, groups);
        value = value == null ? new double[groups] : Arrays.copyOf(value, groups);
        mean = mean == null ? new double[groups] : Arrays.copyOf(mean, groups);
        count = count == null ? new long[groups] : Arrays.copyOf(count, groups);
        order = order == null ? new int[groups] : Arrays.copyOf(order, groups);
        if (operator == AggregateOperator.SUM) {
            histogramValue = histogramValue == null ? new FloatHistogram[groups] : Arrays.copyOf(histogramValue, groups);
            hasFloat = hasFloat == null ? new boolean[groups] : Arrays.copyOf(hasFloat, groups);
            hasHistogram = hasHistogram == null ? new boolean[groups] : Arrays.copyOf(hasHistogram, groups);
        }
        if (operator == AggregateOperator.TOPK || operator == AggregateOperator.BOTTOMK
                || operator == AggregateOperator.QUANTILE) {
            heapLabels = heapLabels == null ? new Labels[groups][] : Arrays.copyOf(heapLabels, groups);
            heapValues = heapValues == null ? new double[groups][] : Arrays.copyOf(heapValues, groups);
            heapSize = heapSize == null ? new int[groups] : Arrays.copyOf(heapSize, groups);
            for (int g = previous; g < groups; g++) {
                heapLabels[g] = new Labels[4];
                heapValues[g] = new double[4];
            }
        }
    }

    /** The labels of the group a series belongs to (also the output labels of the group). */
    static Labels groupLabels(Labels labels, List<String> grouping, boolean without) {
        if (without) {
            return LabelSets.without(labels, grouping, true);
        }
        if (grouping.isEmpty()) {
            return Labels.EMPTY;
        }
        return LabelSets.keep(labels, grouping);
    }

    /** Groups known before evaluation (all of them, except for count_values). */
    int groupCount() {
        return groupLabels.size();
    }

    /**
     * Whether {@link #fold} may replace the step-by-step {@link #aggregate}: the value of a group at a step depends only
     * on that step's samples in input order, and no parameter, per-step grouping or histogram is involved.
     */
    boolean foldsSeriesBySeries(List<SeriesBuffer> input) {
        switch (operator) {
            case SUM, AVG, COUNT, GROUP, MIN, MAX, STDVAR, STDDEV -> {
            }
            default -> {
                return false;
            }
        }
        for (SeriesBuffer series : input) {
            if (series.histograms != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The aggregation of every step at once, series after series, with the same arithmetic as {@link #aggregate} in
     * the same order per group and step (input order), so the same bits; no per-step vector is built. Groups come out
     * in the order step-by-step evaluation meets them first (by step, then by first input series at that step).
     */
    List<SeriesBuffer> fold(List<SeriesBuffer> input, long start, long interval, int steps, EvaluationContext context) {
        int groups = groupLabels.size();
        long cells = (long) groups * steps; // the caller keeps it within the input's size
        double[] values = new double[(int) cells];
        double[] means = operator == AggregateOperator.AVG || operator == AggregateOperator.STDVAR
                || operator == AggregateOperator.STDDEV ? new double[(int) cells] : null;
        long[] counts = new long[(int) cells];
        int[] firstStep = new int[groups];
        int[] firstSeries = new int[groups];
        Arrays.fill(firstStep, Integer.MAX_VALUE);
        for (int s = 0; s < input.size(); s++) {
            context.checkCancelled();
            SeriesBuffer series = input.get(s);
            if (series.size == 0) {
                continue;
            }
            int group = groupOfSeries[s];
            int base = group * steps;
            long[] t = series.timestamps;
            double[] v = series.values;
            int first = (int) ((t[0] - start) / interval);
            if (first < firstStep[group]) {
                firstStep[group] = first;
                firstSeries[group] = s;
            }
            for (int p = 0; p < series.size; p++) {
                int cell = base + (int) ((t[p] - start) / interval);
                double sample = v[p];
                long count = counts[cell];
                if (count == 0) {
                    counts[cell] = 1;
                    switch (operator) {
                        case AVG -> means[cell] = sample;
                        case STDVAR, STDDEV -> {
                            means[cell] = sample;
                            values[cell] = 0;
                        }
                        case GROUP -> values[cell] = 1;
                        default -> values[cell] = sample;
                    }
                    continue;
                }
                counts[cell] = ++count;
                switch (operator) {
                    case SUM -> values[cell] += sample;
                    case AVG -> means[cell] = nextMean(means[cell], sample, count);
                    case MAX -> values[cell] = max(values[cell], sample);
                    case MIN -> values[cell] = min(values[cell], sample);
                    case STDVAR, STDDEV -> {
                        double delta = sample - means[cell];
                        means[cell] += delta / count;
                        values[cell] += delta * (sample - means[cell]);
                    }
                    default -> {
                    }
                }
            }
        }
        Integer[] order = new Integer[groups];
        int present = 0;
        for (int g = 0; g < groups; g++) {
            if (firstStep[g] != Integer.MAX_VALUE) {
                order[present++] = g;
            }
        }
        Arrays.sort(order, 0, present, (a, b) -> firstStep[a] != firstStep[b] ? Integer.compare(firstStep[a], firstStep[b])
                : Integer.compare(firstSeries[a], firstSeries[b]));
        List<SeriesBuffer> out = new ArrayList<>(present);
        long samples = 0;
        for (int o = 0; o < present; o++) {
            int group = order[o];
            int base = group * steps;
            int points = 0;
            for (int step = 0; step < steps; step++) {
                if (counts[base + step] > 0) {
                    points++;
                }
            }
            SeriesBuffer series = new SeriesBuffer(groupLabels.get(group), points);
            for (int step = 0; step < steps; step++) {
                int cell = base + step;
                long count = counts[cell];
                if (count == 0) {
                    continue;
                }
                double result = switch (operator) {
                    case AVG -> means[cell];
                    case COUNT -> count;
                    case STDVAR -> values[cell] / count;
                    case STDDEV -> Math.sqrt(values[cell] / count);
                    default -> values[cell];
                };
                series.add(start + step * interval, result);
            }
            samples += points;
            out.add(series);
        }
        context.addSamples(samples);
        return out;
    }

    void aggregate(double parameter, StepVector input, StepVector out) {
        long k = 0;
        if (operator == AggregateOperator.TOPK || operator == AggregateOperator.BOTTOMK) {
            if (!(parameter <= 9.223372036854775807E18 && parameter >= -9.223372036854775808E18)) {
                throw QueryExecutionException.execution("Scalar value " + GoFormat.formatFloat(parameter) + " overflows int64");
            }
            k = (long) parameter;
            if (k < 1) {
                return;
            }
        }
        epoch++;
        int groups = 0;
        for (int i = 0; i < input.size; i++) {
            double sample = input.values[i];
            int group;
            if (operator == AggregateOperator.COUNT_VALUES) {
                Labels metric = input.labels[i].toBuilder().set(valueLabel, GoFormat.formatFloatPlain(sample)).build();
                group = groupId(groupLabels(metric, countValuesGrouping, without));
            } else {
                group = groupOfSeries[input.origins[i]];
            }
            if (stamp[group] != epoch) {
                stamp[group] = epoch;
                order[groups++] = group;
                value[group] = sample;
                mean[group] = sample;
                count[group] = 1;
                switch (operator) {
                    case SUM -> {
                        FloatHistogram histogram = input.histograms[i];
                        hasFloat[group] = histogram == null;
                        hasHistogram[group] = histogram != null;
                        histogramValue[group] = histogram == null ? null : histogram.copy();
                    }
                    case STDVAR, STDDEV -> value[group] = 0;
                    case TOPK, BOTTOMK, QUANTILE -> {
                        heapLabels[group][0] = input.labels[i];
                        heapValues[group][0] = sample;
                        heapSize[group] = 1;
                    }
                    case GROUP -> value[group] = 1;
                    default -> {
                    }
                }
                continue;
            }
            switch (operator) {
                case SUM -> {
                    FloatHistogram histogram = input.histograms[i];
                    if (histogram == null) {
                        hasFloat[group] = true;
                        value[group] += sample;
                    } else {
                        hasHistogram[group] = true;
                        FloatHistogram sum = histogramValue[group];
                        if (sum != null) {
                            // the histogram added must have the equal or finer schema
                            if (histogram.schema() >= sum.schema()) {
                                sum.add(histogram);
                            } else {
                                histogramValue[group] = histogram.copy().add(sum);
                            }
                        }
                    }
                }
                case AVG -> mean[group] = nextMean(mean[group], sample, ++count[group]);
                case GROUP -> {
                }
                case MAX -> value[group] = max(value[group], sample);
                case MIN -> value[group] = min(value[group], sample);
                case COUNT, COUNT_VALUES -> count[group]++;
                case STDVAR, STDDEV -> {
                    count[group]++;
                    double delta = sample - mean[group];
                    mean[group] += delta / count[group];
                    value[group] += delta * (sample - mean[group]);
                }
                case TOPK -> offerToHeap(group, input.labels[i], sample, k, false);
                case BOTTOMK -> offerToHeap(group, input.labels[i], sample, k, true);
                case QUANTILE -> push(group, input.labels[i], sample);
            }
        }
        for (int o = 0; o < groups; o++) {
            int group = order[o];
            double result = value[group];
            switch (operator) {
                case AVG -> result = mean[group];
                case COUNT, COUNT_VALUES -> result = count[group];
                case STDVAR -> result = value[group] / count[group];
                case STDDEV -> result = Math.sqrt(value[group] / count[group]);
                case SUM -> {
                    if (hasFloat[group] && hasHistogram[group]) {
                        histogramValue[group] = null;
                        continue;
                    }
                    out.add(groupLabels.get(group), result, histogramValue[group]);
                    histogramValue[group] = null;
                    continue;
                }
                case TOPK, BOTTOMK -> {
                    sortByPriority(group, operator == AggregateOperator.BOTTOMK);
                    for (int h = 0; h < heapSize[group]; h++) {
                        out.add(heapLabels[group][h], heapValues[group][h]);
                        heapLabels[group][h] = null;
                    }
                    continue;
                }
                case QUANTILE -> {
                    int n = heapSize[group];
                    if (quantileScratch.length < n) {
                        quantileScratch = new double[n * 2];
                    }
                    System.arraycopy(heapValues[group], 0, quantileScratch, 0, n);
                    Arrays.fill(heapLabels[group], 0, n, null);
                    result = Quantiles.quantile(parameter, quantileScratch, n);
                }
                default -> {
                }
            }
            out.add(groupLabels.get(group), result);
        }
    }

    /** Prometheus 2.42's running mean after the {@code count}-th sample. */
    private static double nextMean(double current, double sample, long count) {
        if (Double.isInfinite(current)) {
            // an infinite mean stays unless a NaN or an infinity of the other sign arrives
            if (Double.isInfinite(sample) && (current > 0) == (sample > 0)) {
                return current;
            }
            if (!Double.isInfinite(sample) && !Double.isNaN(sample)) {
                return current;
            }
        }
        // divide both terms by the count so that large values do not overflow
        return current + (sample / count - current / count);
    }

    /** max as 2.42 aggregates it: a NaN so far is replaced by anything. */
    private static double max(double current, double sample) {
        return current < sample || Double.isNaN(current) ? sample : current;
    }

    private static double min(double current, double sample) {
        return current > sample || Double.isNaN(current) ? sample : current;
    }

    private void push(int group, Labels labels, double sample) {
        int size = heapSize[group];
        if (size == heapValues[group].length) {
            heapValues[group] = Arrays.copyOf(heapValues[group], size * 2);
            heapLabels[group] = Arrays.copyOf(heapLabels[group], size * 2);
        }
        heapLabels[group][size] = labels;
        heapValues[group][size] = sample;
        heapSize[group] = size + 1;
    }

    /** Go heap "Less": for topk the smallest value (NaN first) sits on top, for bottomk the largest. */
    private static boolean less(double[] values, int i, int j, boolean reverse) {
        if (Double.isNaN(values[i])) {
            return true;
        }
        return reverse ? values[i] > values[j] : values[i] < values[j];
    }

    private void offerToHeap(int group, Labels labels, double sample, long k, boolean reverse) {
        double top = heapValues[group][0];
        boolean better = reverse ? top > sample : top < sample;
        if (heapSize[group] < k || better || Double.isNaN(top)) {
            if (heapSize[group] == k) {
                if (k == 1) {
                    heapLabels[group][0] = labels;
                    heapValues[group][0] = sample;
                    return;
                }
                popHeap(group, reverse);
            }
            push(group, labels, sample);
            siftUp(group, heapSize[group] - 1, reverse);
        }
    }

    private void swap(int group, int i, int j) {
        Labels[] labels = heapLabels[group];
        double[] values = heapValues[group];
        Labels l = labels[i];
        labels[i] = labels[j];
        labels[j] = l;
        double v = values[i];
        values[i] = values[j];
        values[j] = v;
    }

    private void siftUp(int group, int index, boolean reverse) {
        int j = index;
        while (true) {
            int i = (j - 1) / 2;
            if (i == j || !less(heapValues[group], j, i, reverse)) {
                break;
            }
            swap(group, i, j);
            j = i;
        }
    }

    private void popHeap(int group, boolean reverse) {
        int n = heapSize[group] - 1;
        swap(group, 0, n);
        int i = 0;
        while (true) {
            int j1 = 2 * i + 1;
            if (j1 >= n || j1 < 0) {
                break;
            }
            int j = j1;
            int j2 = j1 + 1;
            if (j2 < n && less(heapValues[group], j2, j1, reverse)) {
                j = j2;
            }
            if (!less(heapValues[group], j, i, reverse)) {
                break;
            }
            swap(group, i, j);
            i = j;
        }
        heapLabels[group][n] = null;
        heapSize[group] = n;
    }

    /** sort.Sort(sort.Reverse(heap)) as Go runs it, so that tied values come out in Prometheus' order. */
    private void sortByPriority(int group, boolean reverse) {
        double[] values = heapValues[group];
        GoSort.sort(new GoSort.Sortable() {
            @Override
            public boolean less(int i, int j) {
                return Aggregator.less(values, j, i, reverse);
            }

            @Override
            public void swap(int i, int j) {
                Aggregator.this.swap(group, i, j);
            }
        }, heapSize[group]);
    }
}
