package io.gauntlet.storegateway;

import io.gauntlet.tsdb.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/** Parses a selector on external labels such as {@code {cluster=~"eu-.*",replica!="1"}} into matchers. */
final class ExternalLabelSelector {
    private ExternalLabelSelector() {
    }

    static List<LabelMatcher> parse(String text) {
        String s = text.trim();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1);
        }
        List<LabelMatcher> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            int nameStart = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            String name = s.substring(nameStart, i);
            int opStart = i;
            while (i < s.length() && "=!~".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String op = s.substring(opStart, i);
            LabelMatcher.Type type = switch (op) {
                case "=" -> LabelMatcher.Type.EQUAL;
                case "!=" -> LabelMatcher.Type.NOT_EQUAL;
                case "=~" -> LabelMatcher.Type.REGEX;
                case "!~" -> LabelMatcher.Type.NOT_REGEX;
                default -> throw new IllegalArgumentException("selector " + text + ": unknown operator '" + op + "' after '" + name + "'");
            };
            if (name.isEmpty() || i >= s.length() || s.charAt(i) != '"') {
                throw new IllegalArgumentException("selector " + text + ": expected name, operator and a quoted value at " + nameStart);
            }
            StringBuilder value = new StringBuilder();
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                    i++;
                }
                value.append(s.charAt(i++));
            }
            if (i >= s.length()) {
                throw new IllegalArgumentException("selector " + text + ": unterminated value");
            }
            i++;
            out.add(LabelMatcher.of(type, name, value.toString()));
        }
        return out;
    }
}
