package io.gauntlet.prometheus;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;

/** Label matchers written as a PromQL series selector, for the {@code match[]} parameter of Prometheus' HTTP API. */
final class PromqlSelector {
    /** Added when every matcher matches the empty value, which Prometheus' API refuses; only nameless series differ. */
    static final LabelMatcher ANY_METRIC_NAME = LabelMatcher.regex("__name__", ".+");

    private PromqlSelector() {
    }

    static String of(List<LabelMatcher> matchers) {
        StringBuilder out = new StringBuilder("{");
        boolean allMatchEmpty = true;
        for (LabelMatcher matcher : matchers) {
            append(out, matcher);
            allMatchEmpty &= matcher.matchesEmpty();
        }
        if (allMatchEmpty) {
            append(out, ANY_METRIC_NAME);
        }
        return out.append('}').toString();
    }

    private static void append(StringBuilder out, LabelMatcher matcher) {
        if (out.length() > 1) {
            out.append(',');
        }
        out.append(matcher.name()).append(matcher.type().symbol());
        quote(out, matcher.value());
    }

    /** A PromQL double-quoted string literal (Go escapes). */
    static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
