package io.gauntlet.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One rule as written: {@code record} or {@code alert}, {@code expr}, {@code for}, {@code keep_firing_for}, labels, annotations. */
public record RuleSpec(String record, String alert, String expr, long forMillis, long keepFiringForMillis, Map<String, String> labels,
        Map<String, String> annotations) {
    public RuleSpec {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    public boolean isAlert() {
        return !alert.isEmpty();
    }
}
