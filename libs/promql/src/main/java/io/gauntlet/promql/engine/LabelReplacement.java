package io.gauntlet.promql.engine;

import com.google.re2j.Matcher;

/** Go's {@code Regexp.ExpandString} template rules for label_replace: {@code $1}, {@code ${1}}, {@code $name}, {@code $$}. */
final class LabelReplacement {
    private LabelReplacement() {
    }

    static String expand(String template, Matcher match) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < template.length() && template.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int next;
            if (i + 1 < template.length() && template.charAt(i + 1) == '{') {
                int close = template.indexOf('}', i + 2);
                name = close < 0 ? "" : template.substring(i + 2, close);
                next = close + 1;
                if (close < 0 || !isName(name)) {
                    // malformed: Go writes the dollar sign as text
                    out.append('$');
                    i++;
                    continue;
                }
            } else {
                int end = i + 1;
                while (end < template.length() && isNameChar(template.charAt(end))) {
                    end++;
                }
                name = template.substring(i + 1, end);
                next = end;
                if (name.isEmpty()) {
                    out.append('$');
                    i++;
                    continue;
                }
            }
            out.append(group(match, name));
            i = next;
        }
        return out.toString();
    }

    private static String group(Matcher match, String name) {
        String value;
        if (name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            int number;
            try {
                number = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                return "";
            }
            if (number > match.groupCount()) {
                return "";
            }
            value = match.group(number);
        } else {
            try {
                value = match.group(name);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        return value == null ? "" : value;
    }

    private static boolean isName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
