package io.gauntlet.promql.engine;

import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.tsdb.Labels;

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
            case POW -> GoMath.pow(lhs, rhs);
            case MOD -> lhs % rhs;
            case ATAN2 -> GoMath.atan2(lhs, rhs);
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
            boolean returnBool, NameDropper names, StepVector out) {
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
                // the element keeps its histogram: 2.42 only replaces the float beside it
                out.add(dropName ? names.drop(vector, i) : vector.labels[i], value, vector.histograms[i]);
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

}
