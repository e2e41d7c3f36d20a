package io.gauntlet.query.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Comparing raw HTTP API answers of Prometheus and Gauntlet, and showing where they differ. */
public final class ApiAnswers {
    private ApiAnswers() {
    }

    /**
     * Byte equality, except where 2.42 orders an instant vector by a Go map (histogram_quantile's classic groups, the
     * series of a subquery): there the result elements are compared as a set.
     */
    public static boolean sameAnswer(String query, String expected, String actual) {
        if (expected.equals(actual)) {
            return true;
        }
        return (query.contains("histogram_quantile") || query.contains(":")) && elements(expected).equals(elements(actual));
    }

    private static List<String> elements(String json) {
        List<String> elements = new ArrayList<>();
        int depth = 0;
        int from = -1;
        int result = json.indexOf("\"result\":[");
        if (result < 0) {
            return List.of(json);
        }
        int i = result + 10;
        for (; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '{') {
                if (depth++ == 0) {
                    from = i;
                }
            } else if (c == '}') {
                if (--depth == 0) {
                    elements.add(json.substring(from, i + 1));
                }
            } else if (c == ']' && depth == 0) {
                break;
            }
        }
        elements.sort(null);
        elements.add(json.substring(Math.min(i, json.length())));
        return elements;
    }

    /** An API time parameter: whole seconds, or seconds with milliseconds. */
    public static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    public static String abbreviate(String json) {
        return json.length() <= 600 ? json : json.substring(0, 600) + "…(" + json.length() + " chars)";
    }

    /** The offset of the first differing character, with 80 characters of each answer around it. */
    public static String firstDifference(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 80);
        return i + ": …" + expected.substring(from, Math.min(expected.length(), i + 80)) + " | …"
                + actual.substring(from, Math.min(actual.length(), i + 80));
    }
}
