package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Selects series of an index by label matchers with Prometheus' semantics: a series matches when every matcher
 * accepts its value of the matcher's label, a missing label counting as the empty string. Matchers that accept
 * the empty string therefore also select series without the label; when no matcher requires a label to be
 * set, the selection starts from all postings.
 */
public final class MatcherPostings {
    private MatcherPostings() {
    }

    /** The postings of the series all matchers select; empty for no matchers. */
    public static Postings postingsForMatchers(IndexReader index, List<LabelMatcher> matchers) throws CorruptedDataException {
        if (matchers.isEmpty()) {
            return Postings.empty();
        }
        // a label some matcher requires to be non-empty lets its negative matchers subtract from a smaller set
        Set<String> mustBeSet = new HashSet<>();
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                mustBeSet.add(m.name());
            }
        }
        List<Postings> intersect = new ArrayList<>();
        List<Postings> subtract = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            boolean negative = m.type() == LabelMatcher.Type.NOT_EQUAL || m.type() == LabelMatcher.Type.NOT_REGEX;
            if (!mustBeSet.contains(m.name())) {
                // selects the empty value: drop the series whose value the matcher rejects
                subtract.add(index.postingsMatching(m.name(), value -> !m.matches(value)));
            } else if (negative && m.matchesEmpty()) {
                // l!="x" with l required elsewhere: subtract the series with the rejected values
                subtract.add(index.postingsMatching(m.name(), value -> !m.matches(value)));
            } else {
                // l="x", l=~"x.+", l!="": the series whose value the matcher accepts
                Postings postings = positivePostings(index, m);
                if (postings == Postings.empty()) {
                    return Postings.empty();
                }
                intersect.add(postings);
            }
        }
        if (intersect.isEmpty()) {
            intersect.add(index.allPostings());
        }
        Postings result = Postings.intersect(intersect);
        for (Postings drop : subtract) {
            result = Postings.without(result, drop);
        }
        return result;
    }

    /** Sorted values of {@code name} among the series the matchers select; all values for no matchers. */
    public static List<String> labelValues(IndexReader index, String name, List<LabelMatcher> matchers) throws CorruptedDataException {
        return labelValues(index, name, matchers, SERIES_DECODE_LIMIT);
    }

    // up to this many selected series, decoding them is cheaper than intersecting every value's postings
    static final int SERIES_DECODE_LIMIT = 4096;

    static List<String> labelValues(IndexReader index, String name, List<LabelMatcher> matchers, int seriesDecodeLimit)
            throws CorruptedDataException {
        if (matchers.isEmpty()) {
            return index.labelValues(name);
        }
        long[] selected = Postings.toArray(postingsForMatchers(index, matchers));
        if (selected.length == 0) {
            return List.of();
        }
        if (selected.length > seriesDecodeLimit) {
            // as Prometheus does: keep the values whose postings meet the selection
            List<String> values = new ArrayList<>();
            for (String value : index.labelValues(name)) {
                if (Postings.intersect(List.of(index.postings(name, value), Postings.of(selected))).next()) {
                    values.add(value);
                }
            }
            return values;
        }
        Set<String> values = new TreeSet<>(Utf8Order::compare);
        SeriesEntry entry = new SeriesEntry();
        for (long ref : selected) {
            index.series(ref, entry);
            for (int i = 0; i < entry.labelCount(); i++) {
                if (entry.labelName(i).equals(name)) {
                    values.add(entry.labelValue(i));
                    break;
                }
            }
        }
        return List.copyOf(values);
    }

    /** Sorted label names among the series the matchers select; all names for no matchers. */
    public static List<String> labelNames(IndexReader index, List<LabelMatcher> matchers) throws CorruptedDataException {
        if (matchers.isEmpty()) {
            return index.labelNames();
        }
        Set<String> names = new TreeSet<>(Utf8Order::compare);
        SeriesEntry entry = new SeriesEntry();
        Postings postings = postingsForMatchers(index, matchers);
        while (postings.next()) {
            index.series(postings.at(), entry);
            for (int i = 0; i < entry.labelCount(); i++) {
                names.add(entry.labelName(i));
            }
        }
        return List.copyOf(names);
    }

    private static Postings positivePostings(IndexReader index, LabelMatcher m) throws CorruptedDataException {
        if (m.type() == LabelMatcher.Type.EQUAL) {
            return index.postings(m.name(), m.value());
        }
        if (m.type() == LabelMatcher.Type.REGEX) {
            List<String> alternatives = literalAlternatives(m.value());
            if (alternatives != null) {
                return index.postings(m.name(), alternatives);
            }
            return index.postingsMatching(m.name(), literalPrefix(m.value()), m::matches);
        }
        return index.postingsMatching(m.name(), m::matches);
    }

    /**
     * The literal text every match of the (anchored) regex starts with, e.g. {@code host-1} for
     * {@code host-1.*}; empty when there is none or it cannot be told without parsing (alternation, flags, escapes).
     */
    static String literalPrefix(String regex) {
        if (regex.indexOf('|') >= 0) {
            return "";
        }
        int end = 0;
        while (end < regex.length() && "\\.+*?()[]{}^$".indexOf(regex.charAt(end)) < 0 && !Character.isSurrogate(regex.charAt(end))) {
            end++;
        }
        // a quantifier applies to the character before it, which is then optional or repeated
        if (end < regex.length() && "*?{".indexOf(regex.charAt(end)) >= 0 && end > 0) {
            end--;
        }
        return regex.substring(0, end);
    }

    /** {@code a|b|c} of plain literals as its list of values, else null (the regex must be evaluated). */
    static List<String> literalAlternatives(String regex) {
        if (regex.isEmpty()) {
            return null;
        }
        for (int i = 0; i < regex.length(); i++) {
            if ("\\.+*?()[]{}^$".indexOf(regex.charAt(i)) >= 0) {
                return null;
            }
        }
        return List.of(regex.split("\\|", -1)).stream().distinct().toList();
    }
}
