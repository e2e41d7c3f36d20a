package io.gauntlet.promql.engine;

import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binary operators between scalars and vectors with Prometheus 2.42's matching rules and error messages. */
final class BinaryOperations {
    private BinaryOperations() {
    }

    /** Arithmetic drops the metric name; comparisons keep it (unless {@code bool}); atan2 keeps it as in 2.42. */
    static boolean dropsMetricName(BinaryOperator operator) {
        return switch (operator) {
            case ADD, SUB, MUL, DIV, POW, MOD -> true;
            default -> false;
        };
    }

    /** The arithmetic result, for comparisons the left value (kept or not is {@link #comparisonHolds}). */
    static double arithmetic(BinaryOperator operator, double lhs, double rhs) {
        return switch (operator) {
            case ADD -> lhs + rhs;
            case SUB -> lhs - rhs;
            case MUL -> lhs * rhs;
            case DIV -> lhs / rhs;
            case POW -> GoFormat.pow(lhs, rhs);
            case MOD -> lhs % rhs;
            case ATAN2 -> Math.atan2(lhs, rhs);
            case EQL, NEQ, GTR, LSS, GTE, LTE -> lhs;
            default -> throw new IllegalArgumentException("not an arithmetic or comparison operator: " + operator);
        };
    }

    static boolean comparisonHolds(BinaryOperator operator, double lhs, double rhs) {
        return switch (operator) {
            case EQL -> lhs == rhs;
            case NEQ -> lhs != rhs;
            case GTR -> lhs > rhs;
            case LSS -> lhs < rhs;
            case GTE -> lhs >= rhs;
            case LTE -> lhs <= rhs;
            default -> true;
        };
    }

    /** scalar op scalar: comparisons (always with bool) give 1 or 0. */
    static double scalarScalar(BinaryOperator operator, double lhs, double rhs) {
        if (operator.isComparison()) {
            return comparisonHolds(operator, lhs, rhs) ? 1 : 0;
        }
        return arithmetic(operator, lhs, rhs);
    }

    /** vector op scalar (or scalar op vector when {@code scalarOnLeft}). */
    static void vectorScalar(BinaryOperator operator, StepVector vector, double scalar, boolean scalarOnLeft,
            boolean returnBool, StepVector out) {
        boolean dropName = dropsMetricName(operator) || returnBool;
        for (int i = 0; i < vector.size; i++) {
            double left = scalarOnLeft ? scalar : vector.values[i];
            double right = scalarOnLeft ? vector.values[i] : scalar;
            double value = arithmetic(operator, left, right);
            boolean keep = comparisonHolds(operator, left, right);
            if (operator.isComparison() && scalarOnLeft) {
                // a comparison keeps the vector element's value even when the vector is on the right
                value = right;
            }
            if (returnBool) {
                value = keep ? 1 : 0;
                keep = true;
            }
            if (keep) {
                out.add(dropName ? LabelSets.dropMetricName(vector.labels[i]) : vector.labels[i], value);
            }
        }
    }

    /** The label set two series are matched on. */
    static Labels signature(Labels labels, VectorMatching matching) {
        if (matching == null) {
            return LabelSets.dropMetricName(labels);
        }
        return matching.on() ? LabelSets.keep(labels, matching.matchingLabels())
                : LabelSets.without(labels, matching.matchingLabels(), true);
    }

    static void and(StepVector lhs, StepVector rhs, Labels[] lhsSignatures, Labels[] rhsSignatures, StepVector out) {
        if (lhs.size == 0 || rhs.size == 0) {
            return;
        }
        Set<Labels> right = new HashSet<>();
        for (int j = 0; j < rhs.size; j++) {
            right.add(rhsSignatures[rhs.origins[j]]);
        }
        for (int i = 0; i < lhs.size; i++) {
            if (right.contains(lhsSignatures[lhs.origins[i]])) {
                out.add(lhs.labels[i], lhs.values[i]);
            }
        }
    }

    static void or(StepVector lhs, StepVector rhs, Labels[] lhsSignatures, Labels[] rhsSignatures, StepVector out) {
        Set<Labels> left = new HashSet<>();
        for (int i = 0; i < lhs.size; i++) {
            left.add(lhsSignatures[lhs.origins[i]]);
            out.add(lhs.labels[i], lhs.values[i]);
        }
        for (int j = 0; j < rhs.size; j++) {
            if (lhs.size == 0 || !left.contains(rhsSignatures[rhs.origins[j]])) {
                out.add(rhs.labels[j], rhs.values[j]);
            }
        }
    }

    static void unless(StepVector lhs, StepVector rhs, Labels[] lhsSignatures, Labels[] rhsSignatures, StepVector out) {
        Set<Labels> right = new HashSet<>();
        for (int j = 0; j < rhs.size; j++) {
            right.add(rhsSignatures[rhs.origins[j]]);
        }
        for (int i = 0; i < lhs.size; i++) {
            if (!right.contains(lhsSignatures[lhs.origins[i]])) {
                out.add(lhs.labels[i], lhs.values[i]);
            }
        }
    }

    /** Caches result label sets across steps: the same pair of inputs always gives the same output labels. */
    static final class ResultLabels {
        private final Map<List<Labels>, Labels> cache = new HashMap<>();

        Labels get(Labels many, Labels one, BinaryOperator operator, VectorMatching matching) {
            List<Labels> key = List.of(many, one);
            Labels cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
            Labels.Builder builder = many.toBuilder();
            if (dropsMetricName(operator)) {
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
            Labels result = builder.build();
            cache.put(key, result);
            return result;
        }
    }

    /** Arithmetic and comparison between two vectors: one-to-one, many-to-one or one-to-many. */
    static void vectorVector(BinaryOperator operator, StepVector lhs, StepVector rhs, Labels[] lhsSignatures,
            Labels[] rhsSignatures, VectorMatching matching, boolean returnBool, ResultLabels resultLabels, StepVector out) {
        if (lhs.size == 0 || rhs.size == 0) {
            return;
        }
        boolean swapped = matching.cardinality() == Cardinality.ONE_TO_MANY;
        StepVector many = swapped ? rhs : lhs;
        StepVector one = swapped ? lhs : rhs;
        Labels[] manySignatures = swapped ? rhsSignatures : lhsSignatures;
        Labels[] oneSignatures = swapped ? lhsSignatures : rhsSignatures;

        Map<Labels, Integer> oneBySignature = new HashMap<>();
        for (int j = 0; j < one.size; j++) {
            Labels signature = oneSignatures[one.origins[j]];
            Integer duplicate = oneBySignature.putIfAbsent(signature, j);
            if (duplicate != null) {
                String side = swapped ? "left" : "right";
                Labels matched = matching.on() ? LabelSets.keep(one.labels[j], matching.matchingLabels())
                        : LabelSets.without(one.labels[j], matching.matchingLabels(), true);
                throw QueryExecutionException.execution("found duplicate series for the match group "
                        + LabelSets.format(matched) + " on the " + side + " hand-side of the operation: ["
                        + LabelSets.format(one.labels[j]) + ", " + LabelSets.format(one.labels[duplicate])
                        + "];many-to-many matching not allowed: matching labels must be unique on one side");
            }
        }
        Map<Labels, Set<Labels>> matched = new HashMap<>();
        for (int i = 0; i < many.size; i++) {
            Labels signature = manySignatures[many.origins[i]];
            Integer j = oneBySignature.get(signature);
            if (j == null) {
                continue;
            }
            double left = swapped ? one.values[j] : many.values[i];
            double right = swapped ? many.values[i] : one.values[j];
            double value = arithmetic(operator, left, right);
            boolean keep = comparisonHolds(operator, left, right);
            if (returnBool) {
                value = keep ? 1 : 0;
            } else if (!keep) {
                continue;
            }
            Labels metric = resultLabels.get(many.labels[i], one.labels[j], operator, matching);
            if (returnBool) {
                metric = LabelSets.dropMetricName(metric);
            }
            Set<Labels> inserted = matched.get(signature);
            if (matching.cardinality() == Cardinality.ONE_TO_ONE) {
                if (inserted != null) {
                    throw QueryExecutionException.execution(
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matched.put(signature, Set.of());
            } else {
                if (inserted == null) {
                    inserted = new HashSet<>();
                    matched.put(signature, inserted);
                } else if (inserted.contains(metric)) {
                    throw QueryExecutionException.execution(
                            "multiple matches for labels: grouping labels must ensure unique matches");
                }
                inserted.add(metric);
            }
            out.add(metric, value);
        }
    }

    static List<String> names(VectorMatching matching) {
        return matching == null ? List.of() : new ArrayList<>(matching.matchingLabels());
    }
}
