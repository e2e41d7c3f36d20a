package io.gauntlet.rules.template;

import java.util.Map;
import java.util.TreeMap;

/** Go's {@code map[string]string} ($labels, $externalLabels): a missing key reads as "" (missingkey=zero). */
public record GoStringMap(Map<String, String> map) implements GoValue {
    public GoStringMap {
        map = Map.copyOf(map);
    }

    public String get(String key) {
        return map.getOrDefault(key, "");
    }

    @Override
    public String goString() {
        StringBuilder out = new StringBuilder("map[");
        boolean first = true;
        for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
            out.append(first ? "" : " ").append(entry.getKey()).append(':').append(entry.getValue());
            first = false;
        }
        return out.append(']').toString();
    }

    @Override
    public String goType() {
        return "map[string]string";
    }

    @Override
    public Object field(String name) {
        return get(name);
    }
}
