package io.gauntlet.tools.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --selector name=value} (the value may be double-quoted, as Thanos' {@code -l key="value"}). */
final class Selectors {
    private Selectors() {
    }

    static Map<String, String> parse(List<String> selectors) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String selector : selectors) {
            int eq = selector.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("selector " + selector + " is not name=value");
            }
            String value = selector.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            pairs.put(selector.substring(0, eq), value);
        }
        return pairs;
    }
}
