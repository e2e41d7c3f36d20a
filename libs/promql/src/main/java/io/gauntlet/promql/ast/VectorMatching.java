package io.gauntlet.promql.ast;

import java.util.List;
import java.util.Objects;

/**
 * How the two vector operands of a binary operation are matched. on == true: matchingLabels are the {@code on(...)}
 * labels; false: the {@code ignoring(...)} labels (empty when none were written). include = group_left/right labels.
 */
public record VectorMatching(Cardinality cardinality, List<String> matchingLabels, boolean on, List<String> include) {
    public VectorMatching {
        Objects.requireNonNull(cardinality, "cardinality");
        matchingLabels = List.copyOf(matchingLabels);
        include = List.copyOf(include);
    }
}
