package io.gauntlet.promql.parser;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Unquotes PromQL string literals like Prometheus' strutil.Unquote: "..." and '...' with Go escapes, `...` raw.
 * Escapes build bytes ({@code \xe9} is one byte), which are then read as UTF-8.
 */
final class GoStringLiterals {
    private GoStringLiterals() {
    }

    /** @throws IllegalArgumentException "invalid syntax" for a malformed literal */
    static String unquote(String literal) {
        int n = literal.length();
        if (n < 2) {
            throw new IllegalArgumentException("invalid syntax");
        }
        char quote = literal.charAt(0);
        if (quote != literal.charAt(n - 1)) {
            throw new IllegalArgumentException("invalid syntax");
        }
        String body = literal.substring(1, n - 1);
        if (quote == '`') {
            if (body.indexOf('`') >= 0) {
                throw new IllegalArgumentException("invalid syntax");
            }
            return body;
        }
        if ((quote != '"' && quote != '\'') || body.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("invalid syntax");
        }
        if (body.indexOf('\\') < 0 && body.indexOf(quote) < 0) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == quote) {
                throw new IllegalArgumentException("invalid syntax");
            }
            if (c != '\\') {
                int cp = body.codePointAt(i);
                i += Character.charCount(cp);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 1 >= body.length()) {
                throw new IllegalArgumentException("invalid syntax");
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(0x07);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0b);
                case '\\' -> out.write('\\');
                case '\'', '"' -> {
                    if (e != quote) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    out.write(e);
                }
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int value = hex(body, i, digits);
                    i += digits;
                    if (e == 'x') {
                        out.write(value);
                    } else {
                        if (value > Character.MAX_CODE_POINT || (value >= 0xD800 && value < 0xE000)) {
                            throw new IllegalArgumentException("invalid syntax");
                        }
                        out.writeBytes(new String(Character.toChars(value)).getBytes(StandardCharsets.UTF_8));
                    }
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    int value = e - '0';
                    for (int k = 0; k < 2; k++) {
                        int d = body.charAt(i + k) - '0';
                        if (d < 0 || d > 7) {
                            throw new IllegalArgumentException("invalid syntax");
                        }
                        value = value * 8 + d;
                    }
                    i += 2;
                    if (value > 255) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    out.write(value);
                }
                default -> throw new IllegalArgumentException("invalid syntax");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            throw new IllegalArgumentException("invalid syntax");
        }
        long value = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(s.charAt(from + k), 16);
            if (d < 0 || s.charAt(from + k) > 'f') {
                throw new IllegalArgumentException("invalid syntax");
            }
            value = value * 16 + d;
        }
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid syntax");
        }
        return (int) value;
    }
}
