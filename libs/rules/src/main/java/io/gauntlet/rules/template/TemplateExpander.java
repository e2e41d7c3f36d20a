package io.gauntlet.rules.template;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gauntlet.promql.parser.PromqlParser;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus 2.42's alert template expander: Go text/template with the functions Prometheus gives alert labels and
 * annotations ({@code query}, {@code humanize*}, {@code label}, {@code sortByLabel}, {@code reReplaceAll}, …) and its
 * error wording ({@code error executing template NAME: …}).
 */
public final class TemplateExpander {
    /** Runs a PromQL instant query for the {@code query} template function. */
    @FunctionalInterface
    public interface QueryFunction {
        List<TemplateSample> query(String expr, long timeMillis) throws Exception;
    }

    private final Map<String, FunctionSpec> functions;

    /**
     * @param query       the {@code query} function's engine (null: {@code query} fails)
     * @param timeMillis  the evaluation time the queries run at
     * @param externalUrl what {@code externalURL} and {@code pathPrefix} return (null: empty)
     */
    public TemplateExpander(QueryFunction query, long timeMillis, URI externalUrl) {
        this.functions = functions(query, timeMillis, externalUrl);
    }

    /** Parses and executes; errors read as Prometheus': {@code error parsing|executing template NAME: …}. */
    public String expand(String name, String text, Object data) throws TemplateException {
        GoTemplate template;
        try {
            template = GoTemplate.parse(name, text, functions);
        } catch (TemplateException e) {
            throw new TemplateException("error parsing template " + name + ": " + e.getMessage());
        }
        try {
            return template.execute(data);
        } catch (TemplateException e) {
            throw new TemplateException("error executing template " + name + ": " + e.getMessage());
        }
    }

    /** Parses only (promtool's check of alert labels and annotations); the message is Go's parse error itself. */
    public void parseTest(String name, String text) throws TemplateException {
        GoTemplate.parse(name, text, functions);
    }

    private static Map<String, FunctionSpec> functions(QueryFunction query, long timeMillis, URI externalUrl) {
        Map<String, FunctionSpec> f = new HashMap<>();
        add(f, FunctionSpec.of("query", args -> {
            if (query == null) {
                throw new IllegalStateException("no query engine");
            }
            return new TemplateQueryResult(query.query((String) args.getFirst(), timeMillis));
        }, GoType.STRING));
        add(f, FunctionSpec.of("first", args -> {
            TemplateQueryResult result = (TemplateQueryResult) args.getFirst();
            if (result == null || result.samples().isEmpty()) {
                throw new IllegalArgumentException("first() called on vector with no elements");
            }
            return result.samples().getFirst();
        }, GoType.QUERY_RESULT));
        add(f, FunctionSpec.of("label", args -> {
            TemplateSample sample = (TemplateSample) args.get(1);
            return sample == null ? "" : sample.labels().get((String) args.getFirst());
        }, GoType.STRING, GoType.SAMPLE));
        add(f, FunctionSpec.of("value", args -> {
            TemplateSample sample = (TemplateSample) args.getFirst();
            return sample == null ? 0.0 : sample.value();
        }, GoType.SAMPLE));
        add(f, FunctionSpec.of("strvalue", args -> {
            TemplateSample sample = (TemplateSample) args.getFirst();
            return sample == null ? "" : sample.labels().get("__value__");
        }, GoType.SAMPLE));
        add(f, FunctionSpec.variadic("args", args -> {
            Map<String, Object> result = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                result.put("arg" + i, args.get(i));
            }
            return result;
        }, GoType.ANY));
        add(f, FunctionSpec.of("reReplaceAll", args -> {
            Pattern pattern = compile((String) args.get(0), true);
            return GoRegexp.replaceAll(pattern, (String) args.get(2), (String) args.get(1));
        }, GoType.STRING, GoType.STRING, GoType.STRING));
        add(f, FunctionSpec.of("safeHtml", args -> new GoHtml((String) args.getFirst()), GoType.STRING));
        add(f, FunctionSpec.of("match", args -> compile((String) args.get(0), false).matcher((String) args.get(1)).find(),
                GoType.STRING, GoType.STRING));
        add(f, FunctionSpec.of("title", args -> title((String) args.getFirst()), GoType.STRING));
        add(f, FunctionSpec.of("toUpper", args -> ((String) args.getFirst()).toUpperCase(java.util.Locale.ROOT), GoType.STRING));
        add(f, FunctionSpec.of("toLower", args -> ((String) args.getFirst()).toLowerCase(java.util.Locale.ROOT), GoType.STRING));
        add(f, FunctionSpec.of("graphLink", args -> "/graph?g0.expr=" + queryEscape((String) args.getFirst()) + "&g0.tab=0", GoType.STRING));
        add(f, FunctionSpec.of("tableLink", args -> tableLink((String) args.getFirst()), GoType.STRING));
        add(f, FunctionSpec.of("sortByLabel", args -> {
            String label = (String) args.get(0);
            TemplateQueryResult result = (TemplateQueryResult) args.get(1);
            if (result == null) {
                return null;
            }
            List<TemplateSample> sorted = new ArrayList<>(result.samples());
            sorted.sort(Comparator.comparing((TemplateSample s) -> s.labels().get(label), TemplateExpander::compareBytes));
            return new TemplateQueryResult(sorted);
        }, GoType.STRING, GoType.QUERY_RESULT));
        add(f, FunctionSpec.of("stripPort", args -> stripPort((String) args.getFirst()), GoType.STRING));
        add(f, FunctionSpec.of("stripDomain", args -> stripDomain((String) args.getFirst()), GoType.STRING));
        add(f, FunctionSpec.of("humanize", args -> Humanize.humanize(toFloat(args.getFirst())), GoType.ANY));
        add(f, FunctionSpec.of("humanize1024", args -> Humanize.humanize1024(toFloat(args.getFirst())), GoType.ANY));
        add(f, FunctionSpec.of("humanizeDuration", args -> Humanize.duration(toFloat(args.getFirst())), GoType.ANY));
        add(f, FunctionSpec.of("humanizePercentage", args -> GoFmt.sprintf("%.4g%%", List.of(toFloat(args.getFirst()) * 100)), GoType.ANY));
        add(f, FunctionSpec.of("humanizeTimestamp", args -> {
            double v = toFloat(args.getFirst());
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return GoFmt.sprintf("%.4g", List.of(v));
            }
            return toTime(v).goString();
        }, GoType.ANY));
        add(f, FunctionSpec.of("toTime", args -> {
            double v = toFloat(args.getFirst());
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("value is NaN or Inf");
            }
            return toTime(v);
        }, GoType.ANY));
        add(f, FunctionSpec.of("pathPrefix", args -> externalUrl == null || externalUrl.getRawPath() == null ? "" : externalUrl.getPath()));
        add(f, FunctionSpec.of("externalURL", args -> externalUrl == null ? "" : externalUrl.toString()));
        add(f, FunctionSpec.of("parseDuration", args -> {
            try {
                return PromqlParser.parseDuration((String) args.getFirst()) / 1000.0;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a valid duration string: " + io.gauntlet.promql.ast.GoStrings.quote((String) args.getFirst()));
            }
        }, GoType.STRING));
        return Map.copyOf(f);
    }

    private static void add(Map<String, FunctionSpec> map, FunctionSpec spec) {
        map.put(spec.name(), spec);
    }

    /** Prometheus' convertToFloat: float64, ints and strings (strconv.ParseFloat). */
    static double toFloat(Object value) {
        return switch (value) {
            case Double d -> d;
            case Long l -> l;
            case String s -> parseFloat(s);
            case null -> throw new IllegalArgumentException("can't convert <nil> to float");
            default -> throw new IllegalArgumentException("can't convert " + GoFmt.typeName(value) + " to float");
        };
    }

    private static double parseFloat(String s) {
        String t = s.replace("_", "");
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan" -> {
                return Double.NaN;
            }
            default -> {
            }
        }
        try {
            if (lower.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?") || lower.matches("[+-]?0x[0-9a-f.]+(p[+-]?\\d+)?")) {
                return lower.contains("0x") ? Double.parseDouble(lower.contains("p") ? lower : lower + "p0") : Double.parseDouble(t);
            }
        } catch (NumberFormatException e) {
            // fall through to Go's error
        }
        throw new IllegalArgumentException("strconv.ParseFloat: parsing " + io.gauntlet.promql.ast.GoStrings.quote(s) + ": invalid syntax");
    }

    /** model.TimeFromUnixNano(int64(v*1e9)).Time(): truncated to the millisecond. */
    private static GoTime toTime(double seconds) {
        double nanos = seconds * 1e9;
        if (nanos > Long.MAX_VALUE || nanos < Long.MIN_VALUE) {
            throw new IllegalArgumentException(GoFmt.value(seconds) + " cannot be represented as a nanoseconds timestamp since it overflows int64");
        }
        long millis = ((long) nanos) / 1_000_000;
        return new GoTime(Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000);
    }

    private static Pattern compile(String pattern, boolean panics) {
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException((panics ? "regexp: Compile(" + io.gauntlet.promql.ast.GoStrings.quote(pattern) + "): " : "")
                    + "error parsing regexp: " + e.getDescription() + ": `" + e.getPattern() + "`");
        }
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    /** Prometheus' TableLinkForExpression: the UI link that opens an expression in the table view. */
    public static String tableLink(String expr) {
        return "/graph?g0.expr=" + queryEscape(expr) + "&g0.tab=1";
    }

    /** Go's url.QueryEscape. */
    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    /** Go's (deprecated) strings.Title: the first letter of every word upper-cased, the rest unchanged. */
    static String title(String s) {
        StringBuilder out = new StringBuilder();
        int previous = ' ';
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            out.appendCodePoint(isSeparator(previous) ? Character.toTitleCase(r) : r);
            previous = r;
            i += Character.charCount(r);
        }
        return out.toString();
    }

    private static boolean isSeparator(int r) {
        if (r <= 0x7F) {
            if (Character.isLetterOrDigit(r) || r == '_') {
                return false;
            }
            return true;
        }
        if (Character.isLetter(r) || Character.isDigit(r)) {
            return false;
        }
        return Character.isWhitespace(r) || Character.isSpaceChar(r);
    }

    /** Go's net.SplitHostPort, or null when the text is not host:port. */
    private static String[] splitHostPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
                return null;
            }
            String port = hostPort.substring(close + 2);
            if (port.contains(":")) {
                return null;
            }
            return new String[] {hostPort.substring(1, close), port};
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.indexOf(':') != colon) {
            return null;
        }
        return new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
    }

    static String stripPort(String hostPort) {
        String[] parts = splitHostPort(hostPort);
        return parts == null ? hostPort : parts[0];
    }

    static String stripDomain(String hostPort) {
        String[] parts = splitHostPort(hostPort);
        String host = parts == null ? hostPort : parts[0];
        String port = parts == null ? "" : parts[1];
        if (isIp(host)) {
            return hostPort;
        }
        host = host.split("\\.", -1)[0];
        if (!port.isEmpty()) {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
        return host;
    }

    private static boolean isIp(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (host.contains(":") && host.matches("[0-9a-fA-F:.]+")) {
            try {
                return InetAddress.getByName(host) != null;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
