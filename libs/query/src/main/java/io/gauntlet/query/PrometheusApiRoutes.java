package io.gauntlet.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The routes of Prometheus 2.42's {@code /api/v1} (web/api/v1/api.go) and how its router (httprouter behind Go's
 * {@code http.StripPrefix}) answers a request that matches none of them, so that an API client sees the same status,
 * headers and body from the querier: a path no method serves is Go's {@code http.NotFound}, a served path asked with
 * another method is 405 with {@code Allow}, and a path off by a trailing slash or by letter case is redirected (the
 * Location loses the {@code /api/v1} prefix, as Prometheus' does).
 */
public final class PrometheusApiRoutes {
    /** Prometheus 2.42's registrations (OPTIONS {@code /*path} aside), plus Thanos' {@code /stores}. */
    private static final Map<String, List<String>> ROUTES = Map.ofEntries(
            Map.entry("/query", List.of("GET", "POST")),
            Map.entry("/query_range", List.of("GET", "POST")),
            Map.entry("/query_exemplars", List.of("GET", "POST")),
            Map.entry("/format_query", List.of("GET", "POST")),
            Map.entry("/labels", List.of("GET", "POST")),
            Map.entry("/label/:name/values", List.of("GET")),
            Map.entry("/series", List.of("GET", "POST", "DELETE")),
            Map.entry("/targets", List.of("GET")),
            Map.entry("/targets/metadata", List.of("GET")),
            Map.entry("/alertmanagers", List.of("GET")),
            Map.entry("/metadata", List.of("GET")),
            Map.entry("/status/config", List.of("GET")),
            Map.entry("/status/runtimeinfo", List.of("GET")),
            Map.entry("/status/buildinfo", List.of("GET")),
            Map.entry("/status/flags", List.of("GET")),
            Map.entry("/status/tsdb", List.of("GET")),
            Map.entry("/status/walreplay", List.of("GET")),
            Map.entry("/read", List.of("POST")),
            Map.entry("/write", List.of("POST")),
            Map.entry("/alerts", List.of("GET")),
            Map.entry("/rules", List.of("GET")),
            Map.entry("/admin/tsdb/delete_series", List.of("POST", "PUT")),
            Map.entry("/admin/tsdb/clean_tombstones", List.of("POST", "PUT")),
            Map.entry("/admin/tsdb/snapshot", List.of("POST", "PUT")),
            Map.entry("/stores", List.of("GET")));

    /** What the router does with a request. */
    public sealed interface Outcome {
    }

    /** A registered route: the handler answers. */
    public record Routed(String route) implements Outcome {
    }

    /** Go's {@code http.NotFound}. */
    public record NotFound() implements Outcome {
        public static final String BODY = "404 page not found\n";
    }

    /** 405 with the methods that do serve the path, sorted, OPTIONS among them. */
    public record MethodNotAllowed(String allow) implements Outcome {
        public static final String BODY = "Method Not Allowed\n";
    }

    /** 301 (GET) or 307 (other methods) to {@code location}; Go writes a small HTML body for GET and HEAD. */
    public record Redirect(int status, String location) implements Outcome {
        /** Go's {@code http.Redirect} body, or empty when it writes none. */
        public String body(String method) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return "";
            }
            return "<a href=\"" + htmlEscape(location) + "\">" + (status == 301 ? "Moved Permanently" : "Temporary Redirect") + "</a>.\n\n";
        }
    }

    private PrometheusApiRoutes() {
    }

    /**
     * @param method the request method
     * @param path the raw path after {@code /api/v1} (starting with '/', or empty)
     * @param rawQuery the raw query string, or null (kept on redirects, as Go keeps it)
     */
    public static Outcome route(String method, String path, String rawQuery) {
        if (method.equals("OPTIONS") && path.startsWith("/")) {
            return new Routed("/*path");
        }
        String route = match(path, method, false);
        if (route != null) {
            return new Routed(route);
        }
        if (!method.equals("CONNECT") && !path.equals("/") && !path.isEmpty()) {
            int status = method.equals("GET") ? 301 : 307;
            String query = rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery;
            String slashFixed = trailingSlashRecommendation(path, method);
            if (slashFixed != null) {
                return new Redirect(status, slashFixed + query);
            }
            String fixed = caseInsensitive(cleanPath(path), method);
            if (fixed != null) {
                return new Redirect(status, fixed + query);
            }
        }
        TreeSet<String> allowed = new TreeSet<>();
        for (var entry : ROUTES.entrySet()) {
            if (matches(entry.getKey(), path, false) != null) {
                allowed.addAll(entry.getValue());
            }
        }
        allowed.remove(method);
        if (!allowed.isEmpty()) {
            allowed.add("OPTIONS");
            return new MethodNotAllowed(String.join(", ", allowed));
        }
        return new NotFound();
    }

    /** The route serving {@code path} for {@code method}, or null. */
    private static String match(String path, String method, boolean ignoreCase) {
        for (var entry : ROUTES.entrySet()) {
            if (entry.getValue().contains(method) && matches(entry.getKey(), path, ignoreCase) != null) {
                return entry.getKey();
            }
        }
        return null;
    }

    /** {@code path} spelled as the route spells it (parameters kept as given) when it matches, else null. */
    private static String matches(String route, String path, boolean ignoreCase) {
        String[] want = route.split("/", -1);
        String[] have = path.split("/", -1);
        if (want.length != have.length) {
            return null;
        }
        StringBuilder spelled = new StringBuilder();
        for (int i = 1; i < want.length; i++) {
            spelled.append('/');
            if (want[i].startsWith(":")) {
                if (have[i].isEmpty()) {
                    return null;
                }
                spelled.append(have[i]);
            } else if (ignoreCase ? want[i].equalsIgnoreCase(have[i]) : want[i].equals(have[i])) {
                spelled.append(want[i]);
            } else {
                return null;
            }
        }
        return spelled.toString();
    }

    /**
     * httprouter's trailing slash recommendation: the path without (or with) its trailing slash is a route, or the path
     * ends with a slash right before a route's parameter ({@code /label/} → {@code /label}, a quirk kept as is).
     */
    private static String trailingSlashRecommendation(String path, String method) {
        if (path.endsWith("/")) {
            String trimmed = path.substring(0, path.length() - 1);
            if (match(trimmed, method, false) != null) {
                return trimmed;
            }
            for (var entry : ROUTES.entrySet()) {
                int parameter = entry.getKey().indexOf("/:");
                if (entry.getValue().contains(method) && parameter >= 0 && entry.getKey().substring(0, parameter + 1).equals(path)) {
                    return trimmed;
                }
            }
            return null;
        }
        return match(path + "/", method, false) != null ? path + "/" : null;
    }

    /** httprouter's case-insensitive lookup of the cleaned path, with or without a trailing slash. */
    private static String caseInsensitive(String path, String method) {
        List<String> candidates = new ArrayList<>(List.of(path));
        candidates.add(path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path + "/");
        for (String candidate : candidates) {
            for (var entry : ROUTES.entrySet()) {
                if (entry.getValue().contains(method)) {
                    String spelled = matches(entry.getKey(), candidate, true);
                    if (spelled != null) {
                        return spelled;
                    }
                }
            }
        }
        return null;
    }

    /** Go's {@code path.Clean} as httprouter's CleanPath applies it (a trailing slash kept). */
    static String cleanPath(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
                continue;
            }
            parts.add(part);
        }
        String clean = "/" + String.join("/", parts);
        return path.endsWith("/") && clean.length() > 1 ? clean + "/" : clean;
    }

    /**
     * Go's {@code net/http} ServeMux answer to a path that is not clean ({@code //}, {@code /./}, {@code /../}): a 301
     * to the cleaned full path, query kept. Null when the path is clean.
     */
    public static Redirect uncleanPath(String fullPath, String rawQuery) {
        String clean = cleanPath(fullPath);
        if (clean.equals(fullPath)) {
            return null;
        }
        return new Redirect(301, clean + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
    }

    /** The path as Go's {@code URL.Path} holds it (percent escapes decoded, as UTF-8); a bad escape leaves the path as is. */
    public static String unescapePath(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0 || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
                    return rawPath;
                }
                bytes.write(Character.digit(rawPath.charAt(i + 1), 16) * 16 + Character.digit(rawPath.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Go's {@code html.EscapeString}, as {@code http.Redirect} applies it to the link. */
    private static String htmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }
}
