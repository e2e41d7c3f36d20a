package io.gauntlet.seed.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.seed.grafana.GrafanaDashboard.Variable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Template variables resolved as Grafana's Prometheus data source does: {@code label_values(...)} through
 * {@code /api/v1/series} or {@code /api/v1/label/<name>/values}, {@code query_result(...)} through an instant query,
 * {@code metrics(...)} through the metric names; the variable's regex and sort applied; the saved value kept when it is
 * still an option, else "All" or the first option; and the values written into queries with Grafana's escaping.
 */
public final class GrafanaVariables {
    /** The variable syntaxes Grafana replaces: $name, [[name]] or [[name:format]], ${name} or ${name:format}. */
    private static final Pattern REFERENCE = Pattern.compile("\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?]]|\\$\\{(\\w+)(?:\\.[^:^}]+)?(?::([^}]+))?}");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((?:(.+),\\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^query_result\\((.+)\\)\\s*$", Pattern.DOTALL);
    private static final Pattern METRICS = Pattern.compile("^metrics\\((.+)\\)\\s*$");
    private static final Pattern LABEL_NAMES = Pattern.compile("^label_names\\(\\)\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Resolved> values = new LinkedHashMap<>();

    /**
     * A variable's options and selected values.
     *
     * @param all "All" is selected: the value is every option (or the variable's custom all value)
     * @param answers the API answers the variable's query read, for comparing two servers
     */
    public record Resolved(Variable variable, List<String> options, List<String> selected, boolean all, List<PrometheusHttpApi.Answer> answers) {
    }

    /**
     * Resolves every variable in dashboard order (a variable's query may use the ones before it).
     *
     * @param overrides values given on the command line, as a user picks them in the variable's drop-down
     */
    public static GrafanaVariables resolve(List<Variable> variables, PrometheusHttpApi api, long fromMs, long toMs, Map<String, String> overrides)
            throws IOException {
        GrafanaVariables resolved = new GrafanaVariables();
        for (Variable variable : variables) {
            List<PrometheusHttpApi.Answer> answers = new ArrayList<>();
            List<String> options = switch (variable.type()) {
                case "query" -> resolved.options(variable, api, fromMs, toMs, answers);
                case "custom", "interval" -> splitCustom(variable.query());
                case "constant", "textbox" -> List.of(variable.query());
                case "datasource" -> List.of("default");
                default -> List.of();
            };
            List<String> selected;
            boolean all = false;
            if (overrides.containsKey(variable.name())) {
                String override = overrides.get(variable.name());
                all = override.equals("$__all") || override.equals("All");
                selected = all ? options : List.of(override.split(","));
            } else if (!variable.current().isEmpty() && variable.current().stream().allMatch(v -> v.equals("$__all")) && variable.includeAll()) {
                all = true;
                selected = options;
            } else if (!variable.current().isEmpty() && options.containsAll(variable.current())) {
                selected = variable.current();
            } else if (variable.includeAll()) {
                all = true;
                selected = options;
            } else {
                selected = options.isEmpty() ? List.of() : List.of(options.get(0));
            }
            resolved.values.put(variable.name(), new Resolved(variable, options, selected, all, answers));
        }
        return resolved;
    }

    public Map<String, Resolved> values() {
        return values;
    }

    /** Writes the variables' values into a query; the built-ins ({@code $__interval} …) are the caller's. */
    public String interpolate(String text) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2) != null ? matcher.group(2) : matcher.group(4);
            String format = matcher.group(3) != null ? matcher.group(3) : matcher.group(5);
            Resolved variable = values.get(name);
            matcher.appendReplacement(out, Matcher.quoteReplacement(variable == null ? matcher.group() : format(variable, format)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** The Prometheus data source's formatting: plain values escaped for a PromQL string, multi-value or "All" ones as an escaped regex alternation. */
    private static String format(Resolved resolved, String format) {
        Variable variable = resolved.variable();
        if (resolved.all() && variable.allValue() != null) {
            return variable.allValue();
        }
        List<String> selected = resolved.selected();
        if ("raw".equals(format)) {
            return String.join(",", selected);
        }
        if ("csv".equals(format)) {
            return String.join(",", selected);
        }
        if ("pipe".equals(format)) {
            return String.join("|", selected);
        }
        if (!variable.multi() && !variable.includeAll()) {
            return selected.isEmpty() ? "" : selected.get(0).replace("\\", "\\\\").replace("'", "\\\\'");
        }
        List<String> escaped = selected.stream().map(GrafanaVariables::regexEscape).toList();
        return escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
    }

    private static String regexEscape(String value) {
        return value.replace("\\", "\\\\\\\\").replaceAll("[$^*{}\\[\\]'+?.()|]", "\\\\\\\\$0");
    }

    private List<String> options(Variable variable, PrometheusHttpApi api, long fromMs, long toMs, List<PrometheusHttpApi.Answer> answers)
            throws IOException {
        String rangeSeconds = Long.toString(Math.round((toMs - fromMs) / 1000.0));
        String query = interpolate(variable.query().replace("$__range_ms", Long.toString(toMs - fromMs)).replace("$__range_s", rangeSeconds)
                .replace("$__range", rangeSeconds + "s")).trim();
        List<String> texts = new ArrayList<>();
        Matcher labelValues = LABEL_VALUES.matcher(query);
        Matcher queryResult = QUERY_RESULT.matcher(query);
        Matcher metrics = METRICS.matcher(query);
        if (LABEL_NAMES.matcher(query).matches()) {
            PrometheusHttpApi.Answer answer = api.labelValues("__name__", fromMs, toMs);
            texts.addAll(strings(read(answer.body(), answers, answer).path("data")));
        } else if (labelValues.matches() && labelValues.group(1) == null) {
            PrometheusHttpApi.Answer answer = api.labelValues(labelValues.group(2), fromMs, toMs);
            texts.addAll(strings(read(answer.body(), answers, answer).path("data")));
        } else if (labelValues.matches()) {
            PrometheusHttpApi.Answer answer = api.series(labelValues.group(1).trim(), fromMs, toMs);
            Set<String> unique = new LinkedHashSet<>();
            for (JsonNode series : read(answer.body(), answers, answer).path("data")) {
                if (series.hasNonNull(labelValues.group(2))) {
                    unique.add(series.get(labelValues.group(2)).asText());
                }
            }
            texts.addAll(unique);
        } else if (metrics.matches()) {
            PrometheusHttpApi.Answer answer = api.labelValues("__name__", fromMs, toMs);
            Pattern filter = Pattern.compile(metrics.group(1).trim());
            strings(read(answer.body(), answers, answer).path("data")).stream().filter(name -> filter.matcher(name).find()).forEach(texts::add);
        } else if (queryResult.matches()) {
            PrometheusHttpApi.Answer answer = api.instant(queryResult.group(1), toMs);
            for (JsonNode series : read(answer.body(), answers, answer).path("data").path("result")) {
                StringBuilder line = new StringBuilder(series.path("metric").path("__name__").asText(""));
                List<String> labels = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> label = it.next();
                    if (!label.getKey().equals("__name__")) {
                        labels.add(label.getKey() + "=\"" + label.getValue().asText() + "\"");
                    }
                }
                JsonNode value = series.path("value");
                line.append('{').append(String.join(",", labels)).append("} ").append(value.path(1).asText()).append(' ')
                        .append(Math.round(value.path(0).asDouble() * 1000));
                texts.add(line.toString());
            }
        } else {
            // anything else is a series selector: Grafana lists the matching series
            PrometheusHttpApi.Answer answer = api.series(query, fromMs, toMs);
            for (JsonNode series : read(answer.body(), answers, answer).path("data")) {
                texts.add(series.toString());
            }
        }
        return sort(applyRegex(texts, variable.regex()), variable.sort());
    }

    private static JsonNode read(byte[] body, List<PrometheusHttpApi.Answer> answers, PrometheusHttpApi.Answer answer) throws IOException {
        // the answer is kept so a second server's answer to the same variable query can be compared with it
        answers.add(answer);
        if (answer.status() != 200) {
            throw new IOException("variable query failed with HTTP " + answer.status() + ": " + answer.text());
        }
        return JSON.readTree(body);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    /** Custom variables: comma-separated values, "\," for a comma in a value. */
    static List<String> splitCustom(String query) {
        List<String> out = new ArrayList<>();
        Matcher matcher = Pattern.compile("(?:\\\\,|[^,])+").matcher(query);
        while (matcher.find()) {
            out.add(matcher.group().trim().replace("\\,", ","));
        }
        return out;
    }

    /** The variable's regex ("/pattern/flags"): options that do not match go; the first group (or the one named text) is the value. */
    static List<String> applyRegex(List<String> texts, String regex) {
        if (regex == null || regex.isBlank()) {
            return new ArrayList<>(new LinkedHashSet<>(texts));
        }
        String pattern = regex;
        int flags = 0;
        if (regex.startsWith("/") && regex.lastIndexOf('/') > 0) {
            pattern = regex.substring(1, regex.lastIndexOf('/'));
            flags = regex.substring(regex.lastIndexOf('/') + 1).contains("i") ? Pattern.CASE_INSENSITIVE : 0;
        }
        Pattern compiled = Pattern.compile(pattern, flags);
        Set<String> out = new LinkedHashSet<>();
        for (String text : texts) {
            Matcher matcher = compiled.matcher(text);
            if (!matcher.find()) {
                continue;
            }
            String value = text;
            if (pattern.contains("(?<value>")) {
                value = matcher.group("value");
            } else if (pattern.contains("(?<text>")) {
                value = matcher.group("text");
            } else if (matcher.groupCount() > 0 && matcher.group(1) != null) {
                value = matcher.group(1);
            }
            out.add(value);
        }
        return new ArrayList<>(out);
    }

    /** Grafana's variable sort: 1/2 alphabetical, 3/4 numerical, 5/6 alphabetical ignoring case (ascending/descending). */
    static List<String> sort(List<String> options, int sort) {
        Function<String, Long> number = text -> {
            Matcher matcher = Pattern.compile("(\\d+)").matcher(text);
            return matcher.find() ? Long.parseLong(matcher.group(1)) : -1L;
        };
        Comparator<String> order = switch (sort) {
            case 1, 2 -> Comparator.naturalOrder();
            case 3, 4 -> Comparator.comparing(number);
            case 5, 6 -> String.CASE_INSENSITIVE_ORDER;
            default -> null;
        };
        if (order == null) {
            return options;
        }
        List<String> sorted = new ArrayList<>(options);
        sorted.sort(sort % 2 == 0 ? order.reversed() : order);
        return sorted;
    }
}
