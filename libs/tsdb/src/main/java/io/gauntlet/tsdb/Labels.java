package io.gauntlet.tsdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable label set sorted by name, as Prometheus keeps it. Names and values live in one
 * interleaved array so that comparison and hashing walk a single array without boxing.
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";
    public static final Labels EMPTY = new Labels(new String[0]);

    private final String[] pairs; // name0, value0, name1, value1, ... sorted by name, names unique
    private int hash; // cached; 0 means not computed yet

    private Labels(String[] pairs) {
        this.pairs = pairs;
    }

    /** From alternating name, value arguments in any order; later duplicates win; empty values dropped. */
    public static Labels of(String... nameValues) {
        if (nameValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels need name/value pairs, got " + nameValues.length + " strings");
        }
        Builder builder = builder();
        for (int i = 0; i < nameValues.length; i += 2) {
            builder.set(nameValues[i], nameValues[i + 1]);
        }
        return builder.build();
    }

    public static Labels fromMap(Map<String, String> map) {
        Builder builder = builder();
        map.forEach(builder::set);
        return builder.build();
    }

    /**
     * Wraps an interleaved name/value array that is already sorted by name with unique names and no
     * empty values (as read from an index). The array is owned by the result afterwards.
     */
    public static Labels ofSortedPairs(String[] sortedPairs) {
        return new Labels(sortedPairs);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        for (int i = 0; i < pairs.length; i += 2) {
            builder.set(pairs[i], pairs[i + 1]);
        }
        return builder;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public String name(int index) {
        return pairs[2 * index];
    }

    public String value(int index) {
        return pairs[2 * index + 1];
    }

    /** The value of a label, or the empty string when absent (Prometheus semantics). */
    public String get(String name) {
        int index = indexOf(name);
        return index < 0 ? "" : pairs[2 * index + 1];
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    private int indexOf(String name) {
        int low = 0;
        int high = pairs.length / 2 - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = compareStrings(pairs[2 * mid], name);
            if (cmp < 0) {
                low = mid + 1;
            } else if (cmp > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    /** The labels as a map iterating in the set's own order (names by UTF-8 bytes). */
    public Map<String, String> toMap() {
        Map<String, String> map = new TreeMap<>(Labels::compareStrings);
        forEach(map::put);
        return map;
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(size());
        for (int i = 0; i < pairs.length; i += 2) {
            names.add(pairs[i]);
        }
        return names;
    }

    /** A copy without the given label names. */
    public Labels without(Collection<String> names) {
        Builder builder = toBuilder();
        names.forEach(builder::delete);
        return builder.build();
    }

    /** A copy with only the given label names. */
    public Labels keepOnly(Collection<String> names) {
        Builder builder = builder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (names.contains(pairs[i])) {
                builder.set(pairs[i], pairs[i + 1]);
            }
        }
        return builder.build();
    }

    /**
     * Strings in UTF-8 byte order, as Go (and so every Prometheus index) compares them. Equals code point order;
     * differs from {@link String#compareTo} (UTF-16 units) once characters above U+FFFF meet U+E000..U+FFFF.
     */
    public static int compareStrings(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return Integer.compare(utf8Rank(x), utf8Rank(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    // surrogates (U+D800..U+DFFF) encode code points above every BMP character
    private static int utf8Rank(char c) {
        return Character.isSurrogate(c) ? c + 0x10000 : c;
    }

    /** Labels compare name by name, then value by value, shorter set first: the order of series in an index. */
    @Override
    public int compareTo(Labels other) {
        String[] a = pairs;
        String[] b = other.pairs;
        int length = Math.min(a.length, b.length);
        for (int i = 0; i < length; i++) {
            int cmp = compareStrings(a[i], b[i]);
            if (cmp != 0) {
                return cmp;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Labels that)) {
            return false;
        }
        return hashCode() == that.hashCode() && Arrays.equals(pairs, that.pairs);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(pairs);
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }

    /** Prometheus' text form: {@code name{a="b", c="d"}}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        String metric = get(METRIC_NAME);
        out.append(metric).append('{');
        boolean first = true;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(METRIC_NAME)) {
                continue;
            }
            if (!first) {
                out.append(", ");
            }
            first = false;
            out.append(pairs[i]).append("=\"");
            appendEscaped(out, pairs[i + 1]);
            out.append('"');
        }
        return out.append('}').toString();
    }

    private static void appendEscaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Collects labels in any order; {@link #build()} sorts them. Setting an empty value deletes the label. */
    public static final class Builder {
        private final TreeMap<String, String> labels = new TreeMap<>(Labels::compareStrings);

        private Builder() {
        }

        public Builder set(String name, String value) {
            Objects.requireNonNull(name, "label name");
            if (value == null || value.isEmpty()) {
                labels.remove(name);
            } else {
                labels.put(name, value);
            }
            return this;
        }

        public Builder delete(String name) {
            labels.remove(name);
            return this;
        }

        public String get(String name) {
            return labels.getOrDefault(name, "");
        }

        public Labels build() {
            if (labels.isEmpty()) {
                return EMPTY;
            }
            String[] pairs = new String[labels.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> entry : labels.entrySet()) {
                pairs[i++] = entry.getKey();
                pairs[i++] = entry.getValue();
            }
            return new Labels(pairs);
        }
    }
}
