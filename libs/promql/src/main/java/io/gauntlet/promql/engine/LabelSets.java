package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Label-set operations of the evaluator, written to copy arrays instead of going through a builder map. */
final class LabelSets {
    private LabelSets() {
    }

    /** The labels without {@code __name__} (the same instance when there is none). */
    static Labels dropMetricName(Labels labels) {
        if (!labels.has(Labels.METRIC_NAME)) {
            return labels;
        }
        String[] pairs = new String[(labels.size() - 1) * 2];
        int j = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.name(i).equals(Labels.METRIC_NAME)) {
                pairs[j++] = labels.name(i);
                pairs[j++] = labels.value(i);
            }
        }
        return pairs.length == 0 ? Labels.EMPTY : Labels.ofSortedPairs(pairs);
    }

    /** Only the given names. */
    static Labels keep(Labels labels, Collection<String> names) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (names.contains(labels.name(i))) {
                pairs.add(labels.name(i));
                pairs.add(labels.value(i));
            }
        }
        return pairs.isEmpty() ? Labels.EMPTY : Labels.ofSortedPairs(pairs.toArray(String[]::new));
    }

    /** Without the given names and, when {@code alsoName}, without {@code __name__}. */
    static Labels without(Labels labels, Collection<String> names, boolean alsoName) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            if (!names.contains(name) && !(alsoName && name.equals(Labels.METRIC_NAME))) {
                pairs.add(name);
                pairs.add(labels.value(i));
            }
        }
        if (pairs.size() == labels.size() * 2) {
            return labels;
        }
        return pairs.isEmpty() ? Labels.EMPTY : Labels.ofSortedPairs(pairs.toArray(String[]::new));
    }

    /** Prometheus' {@code labels.String()}: every label, the name included, inside braces. */
    static String format(Labels labels) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(labels.name(i)).append("=").append(GoFormat.quote(labels.value(i)));
        }
        return out.append('}').toString();
    }

    /** Whether a string is a valid label name ({@code [a-zA-Z_][a-zA-Z0-9_]*}). */
    static boolean isValidLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }
}
