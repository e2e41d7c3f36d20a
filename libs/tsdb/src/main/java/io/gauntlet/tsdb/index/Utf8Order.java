package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.Labels;

/**
 * The order of strings in an index: by UTF-8 bytes, as Go compares strings. Equals code point order, which
 * differs from {@link String#compareTo} (UTF-16 units) once characters above U+FFFF meet ones in U+E000..U+FFFF.
 * {@link Labels} owns the order; these names keep the index code's call sites readable.
 */
public final class Utf8Order {
    private Utf8Order() {
    }

    public static int compare(String a, String b) {
        return Labels.compareStrings(a, b);
    }

    /** Label sets compared name, value, name, value…, shorter first: the order of series in an index. */
    public static int compare(Labels a, Labels b) {
        return a.compareTo(b);
    }
}
