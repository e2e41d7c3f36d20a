package io.gauntlet.frontend;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A request's parameters in the order Go's {@code r.FormValue} reads them: the form body's first, then the URL's.
 * Sent downstream as one form body, so the querier reads every value as the client meant it.
 */
public record Parameters(List<Parameter> entries) {
    public record Parameter(String name, String value) {
    }

    public Parameters {
        entries = List.copyOf(entries);
    }

    /** Form body values first, then the URL query's ({@code a=1&b=2}, either may be empty or null). */
    public static Parameters of(String formBody, String urlQuery) {
        List<Parameter> entries = new ArrayList<>();
        decodeInto(formBody, entries);
        decodeInto(urlQuery, entries);
        return new Parameters(entries);
    }

    private static void decodeInto(String encoded, List<Parameter> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            into.add(new Parameter(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8)));
        }
    }

    /** The first value of {@code name}, "" when absent (Go's FormValue). */
    public String first(String name) {
        for (Parameter entry : entries) {
            if (entry.name.equals(name)) {
                return entry.value;
            }
        }
        return "";
    }

    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Parameter entry : entries) {
            if (entry.name.equals(name)) {
                values.add(entry.value);
            }
        }
        return values;
    }

    public boolean has(String name) {
        return entries.stream().anyMatch(entry -> entry.name.equals(name));
    }

    /** Every {@code name} replaced by one {@code name=value} where the first was (appended when absent). */
    public Parameters with(String name, String value) {
        List<Parameter> out = new ArrayList<>(entries.size() + 1);
        boolean placed = false;
        for (Parameter entry : entries) {
            if (!entry.name.equals(name)) {
                out.add(entry);
            } else if (!placed) {
                out.add(new Parameter(name, value));
                placed = true;
            }
        }
        if (!placed) {
            out.add(new Parameter(name, value));
        }
        return new Parameters(out);
    }

    /** {@code application/x-www-form-urlencoded}. */
    public String encode() {
        StringBuilder out = new StringBuilder();
        for (Parameter entry : entries) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(URLEncoder.encode(entry.name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(entry.value, StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** The parameters but {@code excluded}, sorted by name (values of one name in their order): a cache key's part. */
    public String canonical(Set<String> excluded) {
        List<Parameter> kept = new ArrayList<>();
        for (Parameter entry : entries) {
            if (!excluded.contains(entry.name)) {
                kept.add(entry);
            }
        }
        kept.sort(Comparator.comparing(Parameter::name)); // stable: a name's values keep their order
        StringBuilder out = new StringBuilder();
        for (Parameter entry : kept) {
            out.append(entry.name.length()).append(':').append(entry.name).append('=')
                    .append(entry.value.length()).append(':').append(entry.value).append(';');
        }
        return out.toString();
    }
}
