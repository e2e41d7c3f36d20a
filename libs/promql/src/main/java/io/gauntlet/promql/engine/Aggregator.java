package io.gauntlet.promql.engine;

import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregation operators of Prometheus 2.42 over one step: groups in order of first appearance, sum plain,
 * avg as an incremental mean that survives overflow, topk/bottomk with Go's heap order, count_values with the
 * value formatted as Go's 'f' format.
 */
final class Aggregator {
    private final AggregateOperator operator;
    private final List<String> grouping;
    private final boolean without;
    private final Labels[] groupLabels; // per input series; null for count_values (changes per sample)
    private final String valueLabel;
    private final List<String> countValuesGrouping;
    private double[] quantileScratch = new double[16];

    Aggregator(AggregateOperator operator, List<String> grouping, boolean without, Labels[] groupLabels,
            String valueLabel) {
        this.operator = operator;
        this.grouping = grouping;
        this.without = without;
        this.groupLabels = groupLabels;
        this.valueLabel = valueLabel;
        if (operator == AggregateOperator.COUNT_VALUES && !without) {
            List<String> extended = new ArrayList<>(grouping);
            extended.add(valueLabel);
            this.countValuesGrouping = extended;
        } else {
            this.countValuesGrouping = grouping;
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

    private static final class Group {
        final Labels labels;
        double value;
        double mean;
        long count;
        // topk/bottomk heap (Go container/heap layout) and quantile values
        Labels[] heapLabels;
        double[] heapValues;
        int heapSize;

        Group(Labels labels) {
            this.labels = labels;
        }
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
        Map<Labels, Group> groups = new LinkedHashMap<>();
        for (int i = 0; i < input.size; i++) {
            Labels metric = input.labels[i];
            double value = input.values[i];
            Labels key;
            if (operator == AggregateOperator.COUNT_VALUES) {
                metric = metric.toBuilder().set(valueLabel, GoFormat.formatFloatPlain(value)).build();
                key = groupLabels(metric, countValuesGrouping, without);
            } else {
                key = groupLabels[input.origins[i]];
            }
            Group group = groups.get(key);
            if (group == null) {
                group = new Group(key);
                groups.put(key, group);
                group.value = value;
                group.mean = value;
                group.count = 1;
                switch (operator) {
                    case STDVAR, STDDEV -> group.value = 0;
                    case TOPK, BOTTOMK -> {
                        int capacity = (int) Math.min(k, input.size);
                        group.heapLabels = new Labels[Math.max(1, capacity)];
                        group.heapValues = new double[Math.max(1, capacity)];
                        group.heapLabels[0] = input.labels[i];
                        group.heapValues[0] = value;
                        group.heapSize = 1;
                    }
                    case QUANTILE -> {
                        group.heapValues = new double[8];
                        group.heapValues[0] = value;
                        group.heapSize = 1;
                    }
                    case GROUP -> group.value = 1;
                    default -> {
                    }
                }
                continue;
            }
            switch (operator) {
                case SUM -> group.value += value;
                case AVG -> {
                    group.count++;
                    if (Double.isInfinite(group.mean)) {
                        if (Double.isInfinite(value) && (group.mean > 0) == (value > 0)) {
                            break;
                        }
                        if (!Double.isInfinite(value) && !Double.isNaN(value)) {
                            break;
                        }
                    }
                    // divide both terms by the count so that large values do not overflow
                    group.mean += value / group.count - group.mean / group.count;
                }
                case GROUP -> {
                }
                case MAX -> {
                    if (group.value < value || Double.isNaN(group.value)) {
                        group.value = value;
                    }
                }
                case MIN -> {
                    if (group.value > value || Double.isNaN(group.value)) {
                        group.value = value;
                    }
                }
                case COUNT, COUNT_VALUES -> group.count++;
                case STDVAR, STDDEV -> {
                    group.count++;
                    double delta = value - group.mean;
                    group.mean += delta / group.count;
                    group.value += delta * (value - group.mean);
                }
                case TOPK -> offerToHeap(group, input.labels[i], value, k, false);
                case BOTTOMK -> offerToHeap(group, input.labels[i], value, k, true);
                case QUANTILE -> {
                    if (group.heapSize == group.heapValues.length) {
                        group.heapValues = java.util.Arrays.copyOf(group.heapValues, group.heapSize * 2);
                    }
                    group.heapValues[group.heapSize++] = value;
                }
            }
        }
        for (Group group : groups.values()) {
            double value = group.value;
            switch (operator) {
                case AVG -> value = group.mean;
                case COUNT, COUNT_VALUES -> value = group.count;
                case STDVAR -> value = group.value / group.count;
                case STDDEV -> value = Math.sqrt(group.value / group.count);
                case TOPK, BOTTOMK -> {
                    sortHeapDescendingByPriority(group, operator == AggregateOperator.BOTTOMK);
                    for (int h = 0; h < group.heapSize; h++) {
                        out.add(group.heapLabels[h], group.heapValues[h]);
                    }
                    continue;
                }
                case QUANTILE -> {
                    if (quantileScratch.length < group.heapSize) {
                        quantileScratch = new double[group.heapSize];
                    }
                    System.arraycopy(group.heapValues, 0, quantileScratch, 0, group.heapSize);
                    value = Quantiles.quantile(parameter, quantileScratch, group.heapSize);
                }
                default -> {
                }
            }
            out.add(group.labels, value);
        }
    }

    /** Go heap "Less": for topk the smallest value (NaN first) sits on top, for bottomk the largest. */
    private static boolean less(double[] values, int i, int j, boolean reverse) {
        if (Double.isNaN(values[i])) {
            return true;
        }
        return reverse ? values[i] > values[j] : values[i] < values[j];
    }

    private static void offerToHeap(Group group, Labels labels, double value, long k, boolean reverse) {
        double top = group.heapValues[0];
        boolean better = reverse ? top > value : top < value;
        if (group.heapSize < k || better || Double.isNaN(top)) {
            if (group.heapSize == k) {
                if (k == 1) {
                    group.heapLabels[0] = labels;
                    group.heapValues[0] = value;
                    return;
                }
                popHeap(group, reverse);
            }
            pushHeap(group, labels, value, reverse);
        }
    }

    private static void swap(Group group, int i, int j) {
        Labels l = group.heapLabels[i];
        group.heapLabels[i] = group.heapLabels[j];
        group.heapLabels[j] = l;
        double v = group.heapValues[i];
        group.heapValues[i] = group.heapValues[j];
        group.heapValues[j] = v;
    }

    private static void pushHeap(Group group, Labels labels, double value, boolean reverse) {
        if (group.heapSize == group.heapValues.length) {
            group.heapLabels = java.util.Arrays.copyOf(group.heapLabels, group.heapSize * 2);
            group.heapValues = java.util.Arrays.copyOf(group.heapValues, group.heapSize * 2);
        }
        group.heapLabels[group.heapSize] = labels;
        group.heapValues[group.heapSize] = value;
        group.heapSize++;
        int j = group.heapSize - 1;
        while (true) {
            int i = (j - 1) / 2;
            if (i == j || !less(group.heapValues, j, i, reverse)) {
                break;
            }
            swap(group, i, j);
            j = i;
        }
    }

    private static void popHeap(Group group, boolean reverse) {
        int n = group.heapSize - 1;
        swap(group, 0, n);
        int i = 0;
        while (true) {
            int j1 = 2 * i + 1;
            if (j1 >= n || j1 < 0) {
                break;
            }
            int j = j1;
            int j2 = j1 + 1;
            if (j2 < n && less(group.heapValues, j2, j1, reverse)) {
                j = j2;
            }
            if (!less(group.heapValues, j, i, reverse)) {
                break;
            }
            swap(group, i, j);
            i = j;
        }
        group.heapLabels[n] = null;
        group.heapSize = n;
    }

    /** sort.Sort(sort.Reverse(heap)) as Go runs it for small inputs: an insertion sort with the reversed order. */
    private static void sortHeapDescendingByPriority(Group group, boolean reverse) {
        for (int i = 1; i < group.heapSize; i++) {
            for (int j = i; j > 0 && less(group.heapValues, j - 1, j, reverse); j--) {
                swap(group, j, j - 1);
            }
        }
    }
}
