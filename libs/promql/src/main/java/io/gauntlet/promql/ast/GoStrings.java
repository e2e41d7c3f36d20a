package io.gauntlet.promql.ast;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go's quoting conventions ({@code strconv.Quote}, {@code %q}, {@code %#U}), which PromQL text and errors use, and
 * Go strings as Java strings: a Go string is bytes and may hold bytes that are not UTF-8 (an HTTP parameter
 * {@code %FF}). Such a byte travels in a Java string as the lone surrogate U+DC80..U+DCFF ("surrogate escape"), so
 * the parser sees the very bytes Prometheus sees and errors quote them as Go does ({@code "\xff"}).
 */
public final class GoStrings {
    private static final int ESCAPED_BYTE_BASE = 0xDC00;

    private GoStrings() {
    }

    /** Bytes of a Go string as a Java string; bytes that do not form UTF-8 (as Go decodes it) become U+DC80..U+DCFF. */
    public static String fromUtf8(byte[] bytes, int offset, int length) {
        int end = offset + length;
        boolean ascii = true;
        for (int i = offset; i < end; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        StringBuilder out = new StringBuilder(length);
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xff;
            int width = b < 0x80 ? 1 : sequenceWidth(bytes, i, end);
            if (width == 0) {
                out.append((char) (ESCAPED_BYTE_BASE + b));
                i++;
            } else {
                out.append(new String(bytes, i, width, StandardCharsets.UTF_8));
                i += width;
            }
        }
        return out.toString();
    }

    /** Width of the valid UTF-8 sequence at {@code i} (no overlong forms, surrogates or values past U+10FFFF), else 0. */
    private static int sequenceWidth(byte[] bytes, int i, int end) {
        int b = bytes[i] & 0xff;
        int width;
        int min;
        if (b >= 0xC2 && b < 0xE0) {
            width = 2;
            min = 0x80;
        } else if (b >= 0xE0 && b < 0xF0) {
            width = 3;
            min = 0x800;
        } else if (b >= 0xF0 && b < 0xF5) {
            width = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + width > end) {
            return 0;
        }
        int cp = b & (0xFF >> (width + 1));
        for (int k = 1; k < width; k++) {
            int c = bytes[i + k] & 0xff;
            if ((c & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (c & 0x3F);
        }
        if (cp < min || cp > Character.MAX_CODE_POINT || cp >= 0xD800 && cp < 0xE000) {
            return 0;
        }
        return width;
    }

    /** The Go string's bytes: UTF-8, with escaped bytes (U+DC80..U+DCFF) written back as the bytes they stand for. */
    public static byte[] utf8Bytes(String value) {
        boolean escapes = false;
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                escapes = true;
                break;
            }
        }
        if (!escapes) {
            return value.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length() + 8);
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            int escaped = escapedByte(cp);
            if (escaped >= 0) {
                out.write(escaped);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** The raw byte a lone surrogate U+DC80..U+DCFF stands for, else -1. */
    private static int escapedByte(int cp) {
        return cp >= ESCAPED_BYTE_BASE + 0x80 && cp <= ESCAPED_BYTE_BASE + 0xFF ? cp - ESCAPED_BYTE_BASE : -1;
    }

    /** Go's {@code strconv.Quote}: double quotes, Go escapes for control and non-printable characters. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '"') {
                out.append("\\\"");
            } else if (escapedByte(cp) >= 0) {
                out.append(String.format("\\x%02x", escapedByte(cp)));
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
