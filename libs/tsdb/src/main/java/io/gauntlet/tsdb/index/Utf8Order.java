package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.Labels;

/**
 * The order of strings in an index: by UTF-8 bytes, as Go compares strings. Equals code point order, which
 * differs from {@link String#compareTo} (UTF-16 units) once characters above U+FFFF meet ones in U+E000..U+FFFF.
 */
public final class Utf8Order {
    private Utf8Order() {
    }

    public static int compare(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return Integer.compare(rank(x), rank(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    // surrogates (U+D800..U+DFFF) encode code points above every BMP character
    private static int rank(char c) {
        return Character.isSurrogate(c) ? c + 0x10000 : c;
    }

    /** Label sets compared name, value, name, value…, shorter first: the order of series in an index. */
    public static int compare(Labels a, Labels b) {
        int length = Math.min(a.size(), b.size());
        for (int i = 0; i < length; i++) {
            int cmp = compare(a.name(i), b.name(i));
            if (cmp != 0) {
                return cmp;
            }
            cmp = compare(a.value(i), b.value(i));
            if (cmp != 0) {
                return cmp;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
