package io.gauntlet.promql.ast;

/** Go's quoting conventions ({@code strconv.Quote}, {@code %q}, {@code %#U}), which PromQL text and errors use. */
public final class GoStrings {
    private GoStrings() {
    }

    /** Go's {@code strconv.Quote}: double quotes, Go escapes for control and non-printable characters. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '"') {
                out.append("\\\"");
            } else {
                appendEscaped(out, cp);
            }
        }
        return out.append('"').toString();
    }

    /** Go's {@code %q} of a rune, e.g. {@code 'x'}; -1 (end of input) prints as the replacement character. */
    public static String quoteRune(int rune) {
        int r = rune < 0 || rune > Character.MAX_CODE_POINT ? 0xFFFD : rune;
        StringBuilder out = new StringBuilder("'");
        if (r == '\'') {
            out.append("\\'");
        } else {
            appendEscaped(out, r);
        }
        return out.append('\'').toString();
    }

    /** Go's {@code %#U}: {@code U+0071 'q'}, without the quoted character when it is not printable. */
    public static String formatUnicode(int rune) {
        String hex = String.format("U+%04X", rune);
        return isPrint(rune) ? hex + " '" + new String(Character.toChars(rune)) + "'" : hex;
    }

    private static void appendEscaped(StringBuilder out, int cp) {
        switch (cp) {
            case 0x07 -> out.append("\\a");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x0b -> out.append("\\v");
            case '\\' -> out.append("\\\\");
            default -> {
                if (isPrint(cp)) {
                    out.appendCodePoint(cp);
                } else if (cp < 0x80) {
                    out.append(String.format("\\x%02x", cp));
                } else if (cp < 0x10000) {
                    out.append(String.format("\\u%04x", cp));
                } else {
                    out.append(String.format("\\U%08x", cp));
                }
            }
        }
    }

    /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    public static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        if (cp < 0 || cp > Character.MAX_CODE_POINT) {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
