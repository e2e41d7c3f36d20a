package io.gauntlet.promql.engine;

import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches the samples of two vectors step by step. Match signatures are numbered once per query, so a step only
 * touches int arrays stamped with the step number: no maps, no allocation for one-to-one and set operations.
 */
final class VectorMatcher {
    private final VectorMatching matching;
    private final int[] lhsSignature;
    private final int[] rhsSignature;
    private final int[] stamp;
    private final int[] indexBySignature;
    private final int[] matchedStamp;
    private int epoch;
    // result labels per many-side series, valid while paired with the same one-side series
    private final Labels[] lhsResult;
    private final int[] lhsResultPartner;
    private final Labels[] rhsResult;
    private final int[] rhsResultPartner;
    private Map<Integer, Set<Labels>> insertedBySignature;

    VectorMatcher(List<SeriesBuffer> lhs, List<SeriesBuffer> rhs, VectorMatching matching) {
        this.matching = matching;
        Map<Labels, Integer> ids = new HashMap<>();
        lhsSignature = new int[lhs.size()];
        for (int i = 0; i < lhsSignature.length; i++) {
            lhsSignature[i] = ids.computeIfAbsent(BinaryOperations.signature(lhs.get(i).labels, matching), k -> ids.size());
        }
        rhsSignature = new int[rhs.size()];
        for (int i = 0; i < rhsSignature.length; i++) {
            rhsSignature[i] = ids.computeIfAbsent(BinaryOperations.signature(rhs.get(i).labels, matching), k -> ids.size());
        }
        stamp = new int[ids.size()];
        indexBySignature = new int[ids.size()];
        matchedStamp = new int[ids.size()];
        lhsResult = new Labels[lhs.size()];
        lhsResultPartner = new int[lhs.size()];
        rhsResult = new Labels[rhs.size()];
        rhsResultPartner = new int[rhs.size()];
    }

    private void nextStep() {
        epoch++;
    }

    void and(StepVector lhs, StepVector rhs, StepVector out) {
        if (lhs.size == 0 || rhs.size == 0) {
            return;
        }
        nextStep();
        for (int j = 0; j < rhs.size; j++) {
            stamp[rhsSignature[rhs.origins[j]]] = epoch;
        }
        for (int i = 0; i < lhs.size; i++) {
            if (stamp[lhsSignature[lhs.origins[i]]] == epoch) {
                out.add(lhs.labels[i], lhs.values[i], lhs.histograms[i]);
            }
        }
    }

    void or(StepVector lhs, StepVector rhs, StepVector out) {
        nextStep();
        for (int i = 0; i < lhs.size; i++) {
            stamp[lhsSignature[lhs.origins[i]]] = epoch;
            out.add(lhs.labels[i], lhs.values[i], lhs.histograms[i]);
        }
        for (int j = 0; j < rhs.size; j++) {
            if (stamp[rhsSignature[rhs.origins[j]]] != epoch) {
                out.add(rhs.labels[j], rhs.values[j], rhs.histograms[j]);
            }
        }
    }

    void unless(StepVector lhs, StepVector rhs, StepVector out) {
        nextStep();
        if (rhs.size > 0) {
            for (int j = 0; j < rhs.size; j++) {
                stamp[rhsSignature[rhs.origins[j]]] = epoch;
            }
        }
        for (int i = 0; i < lhs.size; i++) {
            if (rhs.size == 0 || stamp[lhsSignature[lhs.origins[i]]] != epoch) {
                out.add(lhs.labels[i], lhs.values[i], lhs.histograms[i]);
            }
        }
    }

    /** Arithmetic and comparison: one-to-one, many-to-one or one-to-many, with Prometheus' errors. */
    void arithmetic(BinaryOperator operator, StepVector lhs, StepVector rhs, boolean returnBool, StepVector out) {
        if (lhs.size == 0 || rhs.size == 0) {
            return;
        }
        nextStep();
        boolean swapped = matching.cardinality() == Cardinality.ONE_TO_MANY;
        StepVector many = swapped ? rhs : lhs;
        StepVector one = swapped ? lhs : rhs;
        int[] manySignature = swapped ? rhsSignature : lhsSignature;
        int[] oneSignature = swapped ? lhsSignature : rhsSignature;
        Labels[] resultCache = swapped ? rhsResult : lhsResult;
        int[] resultPartner = swapped ? rhsResultPartner : lhsResultPartner;

        for (int j = 0; j < one.size; j++) {
            int signature = oneSignature[one.origins[j]];
            if (stamp[signature] == epoch) {
                throw duplicateOnOneSide(one, j, indexBySignature[signature], swapped);
            }
            stamp[signature] = epoch;
            indexBySignature[signature] = j;
        }
        boolean oneToOne = matching.cardinality() == Cardinality.ONE_TO_ONE;
        for (int i = 0; i < many.size; i++) {
            int signature = manySignature[many.origins[i]];
            if (stamp[signature] != epoch) {
                continue;
            }
            int j = indexBySignature[signature];
            FloatHistogram leftHistogram = swapped ? one.histograms[j] : many.histograms[i];
            FloatHistogram rightHistogram = swapped ? many.histograms[i] : one.histograms[j];
            double left = swapped ? one.values[j] : many.values[i];
            double right = swapped ? many.values[i] : one.values[j];
            double value = BinaryOperations.arithmetic(operator, left, right);
            FloatHistogram histogram = null;
            if (operator == BinaryOperator.ADD && leftHistogram != null && rightHistogram != null) {
                // the sum of two histograms is the only histogram arithmetic of 2.42; the finer schema is added
                // to the coarser
                histogram = rightHistogram.schema() >= leftHistogram.schema()
                        ? leftHistogram.copy().add(rightHistogram) : rightHistogram.copy().add(leftHistogram);
                value = 0;
            }
            boolean keep = BinaryOperations.comparisonHolds(operator, left, right);
            if (returnBool) {
                value = keep ? 1 : 0;
            } else if (!keep) {
                continue;
            }
            int manyOrigin = many.origins[i];
            int partner = one.origins[j] + 1;
            Labels metric = resultCache[manyOrigin];
            if (metric == null || resultPartner[manyOrigin] != partner) {
                metric = resultLabels(many.labels[i], one.labels[j], operator);
                if (returnBool) {
                    metric = LabelSets.dropMetricName(metric);
                }
                resultCache[manyOrigin] = metric;
                resultPartner[manyOrigin] = partner;
            }
            if (oneToOne) {
                if (matchedStamp[signature] == epoch) {
                    throw QueryExecutionException.execution(
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matchedStamp[signature] = epoch;
            } else {
                if (insertedBySignature == null) {
                    insertedBySignature = new HashMap<>();
                }
                Set<Labels> inserted = insertedBySignature.get(signature);
                if (matchedStamp[signature] != epoch) {
                    matchedStamp[signature] = epoch;
                    if (inserted == null) {
                        inserted = new HashSet<>();
                        insertedBySignature.put(signature, inserted);
                    } else {
                        inserted.clear();
                    }
                } else if (inserted.contains(metric)) {
                    throw QueryExecutionException.execution(
                            "multiple matches for labels: grouping labels must ensure unique matches");
                }
                inserted.add(metric);
            }
            if ((leftHistogram == null) != (rightHistogram == null)) {
                // 2.42 drops a float matched with a histogram (bool included), after the matching checks
                continue;
            }
            out.add(metric, value, histogram);
        }
    }

    private QueryExecutionException duplicateOnOneSide(StepVector one, int index, int previous, boolean swapped) {
        Labels matched = matching.on() ? LabelSets.keep(one.labels[index], matching.matchingLabels())
                : LabelSets.without(one.labels[index], matching.matchingLabels(), true);
        return QueryExecutionException.execution("found duplicate series for the match group " + LabelSets.format(matched)
                + " on the " + (swapped ? "left" : "right") + " hand-side of the operation: ["
                + LabelSets.format(one.labels[index]) + ", " + LabelSets.format(one.labels[previous])
                + "];many-to-many matching not allowed: matching labels must be unique on one side");
    }

    /** The labels of a result: the many side's, minus the name for arithmetic, narrowed for one-to-one, plus include. */
    private Labels resultLabels(Labels many, Labels one, BinaryOperator operator) {
        if (matching.cardinality() == Cardinality.ONE_TO_ONE && matching.include().isEmpty()) {
            Labels result = BinaryOperations.dropsMetricName(operator) ? LabelSets.dropMetricName(many) : many;
            return matching.on() ? LabelSets.keep(result, matching.matchingLabels())
                    : LabelSets.without(result, matching.matchingLabels(), false);
        }
        Labels.Builder builder = many.toBuilder();
        if (BinaryOperations.dropsMetricName(operator)) {
            builder.delete(Labels.METRIC_NAME);
        }
        if (matching.cardinality() == Cardinality.ONE_TO_ONE) {
            if (matching.on()) {
                for (String name : many.names()) {
                    if (!matching.matchingLabels().contains(name)) {
                        builder.delete(name);
                    }
                }
            } else {
                matching.matchingLabels().forEach(builder::delete);
            }
        }
        for (String name : matching.include()) {
            // group_left/right labels come from the "one" side
            builder.set(name, one.get(name));
        }
        return builder.build();
    }
}
