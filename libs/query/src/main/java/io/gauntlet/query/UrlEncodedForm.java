package io.gauntlet.query;

import io.gauntlet.promql.ast.GoStrings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A URL query or an {@code application/x-www-form-urlencoded} body read as Go's {@code url.ParseQuery} reads it, the
 * parser behind Prometheus' {@code r.FormValue}: pairs split on '&amp;', a pair holding ';' dropped ("invalid semicolon
 * separator in query"), '+' is a space, a malformed %-escape drops its pair ({@code invalid URL escape "%ZZ"}).
 * Values keep bytes that are not UTF-8 (surrogate-escaped, see {@link GoStrings}), so a query with {@code %FF} reaches
 * the parser as Prometheus' does. {@link #error()} is what Go's ParseQuery returns (null when none); the values that
 * parsed are kept either way, as Go keeps them.
 */
public record UrlEncodedForm(Map<String, List<String>> values, String error) {
    public static final UrlEncodedForm EMPTY = new UrlEncodedForm(Map.of(), null);

    /** The raw query string of a URL (ASCII, %-escaped), or null. */
    public static UrlEncodedForm parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return EMPTY;
        }
        return parse(rawQuery.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static UrlEncodedForm parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return EMPTY;
        }
        Map<String, List<String>> values = new HashMap<>();
        String error = null;
        int position = 0;
        while (position < raw.length) {
            int ampersand = indexOf(raw, (byte) '&', position, raw.length);
            int pairEnd = ampersand < 0 ? raw.length : ampersand;
            int pairStart = position;
            position = ampersand < 0 ? raw.length : ampersand + 1;
            if (indexOf(raw, (byte) ';', pairStart, pairEnd) >= 0) {
                error = "invalid semicolon separator in query"; // Go overwrites any earlier error with this one
                continue;
            }
            if (pairStart == pairEnd) {
                continue;
            }
            int equals = indexOf(raw, (byte) '=', pairStart, pairEnd);
            int keyEnd = equals < 0 ? pairEnd : equals;
            Unescaped key = unescape(raw, pairStart, keyEnd);
            Unescaped value = equals < 0 ? new Unescaped("", null) : unescape(raw, equals + 1, pairEnd);
            String escapeError = key.error() != null ? key.error() : value.error();
            if (escapeError != null) {
                if (error == null) {
                    error = escapeError;
                }
                continue;
            }
            values.computeIfAbsent(key.text(), k -> new ArrayList<>(1)).add(value.text());
        }
        return new UrlEncodedForm(values, error);
    }

    /**
     * A %-escaped path segment as Go's server hands it to a handler: %XX decoded to bytes, '+' kept; a malformed
     * escape is left as it is.
     */
    public static String pathSegment(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        byte[] decoded = out.toByteArray();
        return GoStrings.fromUtf8(decoded, 0, decoded.length);
    }

    /** The first value of a name ("" when absent), as Go's {@code Values.Get}. */
    public String first(String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() ? "" : list.getFirst();
    }

    public List<String> all(String name) {
        List<String> list = values.get(name);
        return list == null ? List.of() : list;
    }

    private record Unescaped(String text, String error) {
    }

    /** Go's {@code QueryUnescape}: %XX to a byte, '+' to a space; a bad escape is an error naming up to 3 bytes of it. */
    private static Unescaped unescape(byte[] raw, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            byte b = raw[i];
            if (b == '%') {
                if (i + 2 >= to || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) {
                    int end = Math.min(to, i + 3);
                    String bad = GoStrings.fromUtf8(raw, i, end - i);
                    return new Unescaped(null, "invalid URL escape " + GoStrings.quote(bad));
                }
                plain = false;
                i += 2;
            } else if (b == '+' || b < 0) {
                plain = false;
            }
        }
        if (plain) {
            return new Unescaped(new String(raw, from, to - from, StandardCharsets.ISO_8859_1), null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = raw[i];
            if (b == '%') {
                out.write(hex(raw[i + 1]) << 4 | hex(raw[i + 2]));
                i += 2;
            } else if (b == '+') {
                out.write(' ');
            } else {
                out.write(b);
            }
        }
        byte[] bytes = out.toByteArray();
        return new Unescaped(GoStrings.fromUtf8(bytes, 0, bytes.length), null);
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static int indexOf(byte[] raw, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (raw[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
