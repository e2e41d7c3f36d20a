package io.gauntlet.seed.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a Grafana dashboard's queries against a Prometheus HTTP API as Grafana would — template variables resolved
 * through the API, built-in intervals by Grafana's rules, instant and range targets — and prints per target the query,
 * the answer's status and series, whether it is non-empty and, given a second API, whether both answers are
 * byte-identical.
 *
 * <pre>
 * DashboardRun --dashboard node-exporter-full.json --url http://127.0.0.1:10904 [--compare-url http://127.0.0.1:9090]
 *              [--from now-24h] [--to now] [--scrape-interval 30s] [--var node=10.0.0.10:9100] [--diff-dir /tmp/diff]
 * </pre>
 *
 * Times are RFC 3339, Unix seconds, or Grafana's relative "now", "now-6h". The exit status is 0 when every query
 * succeeded (and, when compared, every answer was identical), 1 otherwise, 2 on bad arguments.
 */
public final class DashboardRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\w+))?");

    /**
     * The counts of one run.
     *
     * @param queries the queries run (an instant-and-range target counts twice)
     * @param hidden targets disabled in the dashboard, not run (Grafana does not run them either)
     * @param identical answers byte-identical on both servers (0 without a second server)
     * @param sameJson answers that differ in bytes but parse to the same JSON
     */
    public record Summary(int panels, int targets, int hidden, int queries, int succeeded, int nonEmpty, int identical, int sameJson, int variables,
            int variablesIdentical) {
    }

    private DashboardRun() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        try {
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
                }
                String name = args[i].substring(2);
                String value = args[++i];
                if (name.equals("var")) {
                    int equals = value.indexOf('=');
                    if (equals < 1) {
                        throw new IllegalArgumentException("--var wants name=value, got '" + value + "'");
                    }
                    variables.put(value.substring(0, equals), value.substring(equals + 1));
                } else {
                    options.put(name, value);
                }
            }
            if (!options.containsKey("dashboard") || !options.containsKey("url")) {
                throw new IllegalArgumentException("--dashboard FILE and --url PROMETHEUS_API_BASE are required");
            }
            GrafanaDashboard dashboard = GrafanaDashboard.parse(JSON.readTree(Path.of(options.get("dashboard")).toFile()));
            long now = System.currentTimeMillis();
            long from = parseTime(options.getOrDefault("from", dashboard.defaultFrom()), now);
            long to = parseTime(options.getOrDefault("to", dashboard.defaultTo()), now);
            if (from >= to) {
                throw new IllegalArgumentException("--from must be before --to");
            }
            String scrape = options.get("scrape-interval");
            if (scrape != null) {
                GrafanaIntervals.parse(scrape);
            }
            PrometheusHttpApi primary = new PrometheusHttpApi(options.get("url"));
            PrometheusHttpApi second = options.containsKey("compare-url") ? new PrometheusHttpApi(options.get("compare-url")) : null;
            Path diffs = options.containsKey("diff-dir") ? Files.createDirectories(Path.of(options.get("diff-dir"))) : null;
            Summary summary = run(dashboard, primary, second, from, to, scrape, variables, diffs, System.out);
            boolean ok = summary.succeeded() == summary.queries() && (second == null || summary.identical() == summary.queries());
            System.exit(ok ? 0 : 1);
        } catch (IllegalArgumentException e) {
            System.err.println("dashboard-run: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs every target of every panel and prints one line per query and a summary. */
    public static Summary run(GrafanaDashboard dashboard, PrometheusHttpApi primary, PrometheusHttpApi second, long from, long to, String scrapeInterval,
            Map<String, String> overrides, Path diffs, PrintStream out) throws IOException {
        out.printf("dashboard \"%s\": %s .. %s, %s%s%n", dashboard.title(), Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), primary.base(),
                second == null ? "" : " compared with " + second.base());
        GrafanaVariables variables = GrafanaVariables.resolve(dashboard.variables(), primary, from, to, overrides);
        int variablesIdentical = 0;
        GrafanaVariables others = second == null ? null : GrafanaVariables.resolve(dashboard.variables(), second, from, to, overrides);
        for (GrafanaVariables.Resolved variable : variables.values().values()) {
            String compared = "";
            if (others != null) {
                GrafanaVariables.Resolved other = others.values().get(variable.variable().name());
                boolean same = variable.options().equals(other.options()) && sameAnswers(variable.answers(), other.answers());
                variablesIdentical += same ? 1 : 0;
                compared = same ? ", identical" : ", DIFFERS: " + other.options();
            }
            out.printf("variable %s (%s): %d options, selected %s%s%n", variable.variable().name(), variable.variable().type(), variable.options().size(),
                    variable.all() ? "All" : variable.selected(), compared);
        }
        int panels = 0;
        int targets = 0;
        int hidden = 0;
        int queries = 0;
        int succeeded = 0;
        int nonEmpty = 0;
        int identical = 0;
        int sameJson = 0;
        for (GrafanaDashboard.Panel panel : dashboard.panels()) {
            panels++;
            for (GrafanaDashboard.Target target : panel.targets()) {
                targets++;
                if (target.hidden()) {
                    hidden++;
                    continue;
                }
                GrafanaIntervals.Timing timing = GrafanaIntervals.timing(from, to, panel.maxDataPoints(),
                        panel.minInterval() == null ? null : variables.interpolate(panel.minInterval()),
                        target.interval() == null ? null : variables.interpolate(target.interval()), target.intervalFactor(), scrapeInterval);
                String expr = builtIns(variables.interpolate(target.expr()), timing);
                List<String> kinds = new ArrayList<>();
                if (target.instant()) {
                    kinds.add("instant");
                }
                if (target.range()) {
                    kinds.add("range");
                }
                for (String kind : kinds) {
                    queries++;
                    PrometheusHttpApi.Answer answer = ask(primary, kind, expr, timing, to);
                    Outcome outcome = outcome(answer);
                    succeeded += outcome.success() ? 1 : 0;
                    nonEmpty += outcome.series() > 0 ? 1 : 0;
                    String compared = "";
                    if (second != null) {
                        PrometheusHttpApi.Answer other = ask(second, kind, expr, timing, to);
                        if (Arrays.equals(answer.body(), other.body()) && answer.status() == other.status()) {
                            identical++;
                            compared = "  identical";
                        } else if (answer.status() == other.status() && sameJson(answer.body(), other.body())) {
                            sameJson++;
                            compared = "  same JSON, bytes differ";
                        } else {
                            compared = "  DIFFERS (" + outcome(other).describe() + " there)";
                        }
                        if (diffs != null && compared.startsWith("  DIFFERS")) {
                            String stem = "panel-" + panel.id() + "-" + target.refId().replaceAll("[^A-Za-z0-9]", "_") + "-" + kind;
                            Files.write(diffs.resolve(stem + ".a.json"), answer.body());
                            Files.write(diffs.resolve(stem + ".b.json"), other.body());
                            Files.writeString(diffs.resolve(stem + ".query"), expr + "\n");
                        }
                    }
                    out.printf("panel %d \"%s\" %s %s step=%s: %s%s%n    %s%n", panel.id(), panel.title(), target.refId(), kind,
                            GrafanaIntervals.formatInterval(timing.stepMs()), outcome.describe(), compared, expr);
                }
            }
        }
        Summary summary = new Summary(panels, targets, hidden, queries, succeeded, nonEmpty, identical, sameJson, variables.values().size(),
                variablesIdentical);
        out.printf("summary: %d panels, %d targets (%d hidden, not run), %d queries: %d succeeded, %d non-empty%s%n", panels, targets, hidden, queries,
                succeeded, nonEmpty, second == null ? "" : String.format(", %d byte-identical, %d same JSON, %d differ; variables %d of %d identical",
                        identical, sameJson, queries - identical - sameJson, variablesIdentical, variables.values().size()));
        return summary;
    }

    /** Grafana's server-side built-ins, in its order (the longer names first). */
    static String builtIns(String expr, GrafanaIntervals.Timing timing) {
        long rangeSeconds = Math.round(timing.rangeMs() / 1000.0);
        return expr.replace("$__interval_ms", Long.toString(timing.intervalMs())).replace("${__interval_ms}", Long.toString(timing.intervalMs()))
                .replace("$__interval", GrafanaIntervals.formatInterval(timing.intervalMs()))
                .replace("${__interval}", GrafanaIntervals.formatInterval(timing.intervalMs()))
                .replace("$__range_ms", Long.toString(timing.rangeMs())).replace("${__range_ms}", Long.toString(timing.rangeMs()))
                .replace("$__range_s", Long.toString(rangeSeconds)).replace("${__range_s}", Long.toString(rangeSeconds))
                .replace("$__range", rangeSeconds + "s").replace("${__range}", rangeSeconds + "s")
                .replace("$__rate_interval_ms", Long.toString(timing.rateIntervalMs())).replace("${__rate_interval_ms}", Long.toString(timing.rateIntervalMs()))
                .replace("$__rate_interval", GrafanaIntervals.goDuration(timing.rateIntervalMs()))
                .replace("${__rate_interval}", GrafanaIntervals.goDuration(timing.rateIntervalMs()));
    }

    private static PrometheusHttpApi.Answer ask(PrometheusHttpApi api, String kind, String expr, GrafanaIntervals.Timing timing, long to) {
        return kind.equals("instant") ? api.instant(expr, to) : api.range(expr, timing.startMs(), timing.endMs(), timing.stepMs());
    }

    /** What an answer holds: its status, and how many series (a scalar or string counts as one). */
    record Outcome(boolean success, int series, String describe) {
    }

    static Outcome outcome(PrometheusHttpApi.Answer answer) {
        if (answer.status() == 0) {
            return new Outcome(false, 0, answer.text());
        }
        try {
            JsonNode root = JSON.readTree(answer.body());
            String status = root.path("status").asText("?");
            if (answer.status() != 200 || !status.equals("success")) {
                return new Outcome(false, 0, "HTTP " + answer.status() + " " + status + " " + root.path("errorType").asText("") + ": "
                        + root.path("error").asText(""));
            }
            JsonNode result = root.path("data").path("result");
            String type = root.path("data").path("resultType").asText();
            int series = type.equals("scalar") || type.equals("string") ? 1 : result.size();
            return new Outcome(true, series, "success " + type + ", " + series + " series" + (series > 0 ? ", non-empty" : ", EMPTY"));
        } catch (IOException e) {
            return new Outcome(false, 0, "HTTP " + answer.status() + ", not JSON: " + answer.text());
        }
    }

    private static boolean sameAnswers(List<PrometheusHttpApi.Answer> a, List<PrometheusHttpApi.Answer> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).body(), b.get(i).body())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameJson(byte[] a, byte[] b) {
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (IOException e) {
            return false;
        }
    }

    /** RFC 3339, Unix seconds, or Grafana's "now" / "now-6h". */
    static long parseTime(String text, long now) {
        Matcher relative = RELATIVE.matcher(text.trim());
        if (relative.matches()) {
            return relative.group(1) == null ? now : now - GrafanaIntervals.parse(relative.group(1));
        }
        if (text.matches("\\d+(\\.\\d+)?")) {
            return Math.round(Double.parseDouble(text) * 1000);
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a time: '" + text + "' (want RFC 3339, Unix seconds or now-6h)");
        }
    }
}
