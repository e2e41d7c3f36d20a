package io.gauntlet.tsdb;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;

/**
 * A label matcher ({@code =}, {@code !=}, {@code =~}, {@code !~}). Regexes are fully anchored and use RE2
 * semantics, as in Prometheus. A missing label matches as the empty string.
 */
public final class LabelMatcher {
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern; // only for REGEX / NOT_REGEX

    private LabelMatcher(Type type, String name, String value) {
        this.type = Objects.requireNonNull(type, "type");
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        if (type == Type.REGEX || type == Type.NOT_REGEX) {
            try {
                // as Prometheus 2.x compiles it: anchored, '.' does not match a newline (3.0 changed that)
                this.pattern = Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression " + quote(value) + ": " + e.getDescription(), e);
            }
        } else {
            this.pattern = null;
        }
    }

    /** @throws IllegalArgumentException for an invalid regular expression */
    public static LabelMatcher of(Type type, String name, String value) {
        return new LabelMatcher(type, name, value);
    }

    public static LabelMatcher equal(String name, String value) {
        return new LabelMatcher(Type.EQUAL, name, value);
    }

    public static LabelMatcher notEqual(String name, String value) {
        return new LabelMatcher(Type.NOT_EQUAL, name, value);
    }

    public static LabelMatcher regex(String name, String value) {
        return new LabelMatcher(Type.REGEX, name, value);
    }

    public static LabelMatcher notRegex(String name, String value) {
        return new LabelMatcher(Type.NOT_REGEX, name, value);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** Whether the label value (empty string when the label is missing) satisfies this matcher. */
    public boolean matches(String labelValue) {
        return switch (type) {
            case EQUAL -> value.equals(labelValue);
            case NOT_EQUAL -> !value.equals(labelValue);
            case REGEX -> pattern.matcher(labelValue).matches();
            case NOT_REGEX -> !pattern.matcher(labelValue).matches();
        };
    }

    public boolean matches(Labels labels) {
        return matches(labels.get(name));
    }

    /** True when the matcher also selects series that lack the label entirely. */
    public boolean matchesEmpty() {
        return matches("");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMatcher that && type == that.type && name.equals(that.name) && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name, value);
    }

    @Override
    public String toString() {
        return name + type.symbol + quote(value);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
