package io.gauntlet.rules.template;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/** Go's regexp replacement semantics over re2j (RE2, as Go): ReplaceAllString and Expand. */
public final class GoRegexp {
    private GoRegexp() {
    }

    /** Go's Regexp.ReplaceAllString: {@code $1}, {@code ${1}}, {@code $name}, {@code $$} in the replacement. */
    public static String replaceAll(Pattern pattern, String text, String replacement) {
        Matcher matcher = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        int searchFrom = 0;
        int lastMatchEnd = -1;
        while (searchFrom <= text.length() && matcher.find(searchFrom)) {
            int start = matcher.start();
            int end = matcher.end();
            if (start == end && start == lastMatchEnd) {
                // Go skips an empty match right after the previous match
                searchFrom = nextIndex(text, start);
                continue;
            }
            out.append(text, last, start);
            expand(out, replacement, matcher, pattern);
            last = end;
            lastMatchEnd = end;
            searchFrom = end == start ? nextIndex(text, end) : end;
        }
        out.append(text.substring(Math.min(last, text.length())));
        return out.toString();
    }

    private static int nextIndex(String text, int index) {
        return index < text.length() ? index + Character.charCount(text.codePointAt(index)) : index + 1;
    }

    /** Go's Regexp.Expand: appends {@code template} with {@code $1}, {@code ${name}}, {@code $$} replaced from the match. */
    public static void expand(StringBuilder out, String template, Matcher matcher, Pattern pattern) {
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                out.append(c);
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i++;
                continue;
            }
            String name;
            int end;
            if (next == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0) {
                    out.append(c);
                    continue;
                }
                name = template.substring(i + 2, close);
                end = close;
            } else {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                    j++;
                }
                if (j == i + 1) {
                    out.append(c);
                    continue;
                }
                name = template.substring(i + 1, j);
                end = j - 1;
            }
            if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                out.append(c);
                continue;
            }
            String group = null;
            if (name.chars().allMatch(Character::isDigit)) {
                try {
                    int index = Integer.parseInt(name);
                    if (index <= matcher.groupCount()) {
                        group = matcher.group(index);
                    }
                } catch (NumberFormatException e) {
                    group = null;
                }
            } else {
                try {
                    group = matcher.group(name);
                } catch (RuntimeException e) {
                    group = null;
                }
            }
            if (group != null) {
                out.append(group);
            }
            i = end;
        }
    }

}
