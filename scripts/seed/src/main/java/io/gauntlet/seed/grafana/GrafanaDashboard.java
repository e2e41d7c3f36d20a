package io.gauntlet.seed.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Grafana dashboard JSON that decide what Grafana asks a Prometheus data source: every panel's targets
 * (also those in collapsed rows), the panel's max data points and min interval, the template variables and the default
 * time range.
 *
 * @param title the dashboard's title
 * @param panels every panel that has queries, in dashboard order
 * @param variables the template variables, in dashboard order
 * @param defaultFrom the dashboard's default time range start ("now-24h")
 * @param defaultTo its end ("now")
 */
public record GrafanaDashboard(String title, List<Panel> panels, List<Variable> variables, String defaultFrom, String defaultTo) {
    /** A grid column's width in pixels on a 1920-pixel-wide window (Grafana's grid has 24 columns). */
    static final int COLUMN_PIXELS = 1920 / 24;

    /**
     * One panel.
     *
     * @param maxDataPoints the panel's "Max data points", or its width in pixels as Grafana takes it when unset
     * @param minInterval the panel's "Min interval" (null when unset)
     */
    public record Panel(int id, String title, String type, long maxDataPoints, String minInterval, List<Target> targets) {
    }

    /**
     * One query of a panel.
     *
     * @param instant Grafana runs an instant query
     * @param range Grafana runs a range query (also when neither is set, as older dashboards expect)
     * @param interval the target's "Min step" (null when unset)
     * @param hidden the target is disabled: Grafana does not run it
     */
    public record Target(String refId, String expr, boolean instant, boolean range, String interval, int intervalFactor, boolean hidden) {
    }

    /**
     * A template variable.
     *
     * @param type query, custom, constant, textbox, interval or datasource
     * @param query the variable's query (for a query variable: label_values(...), query_result(...), metrics(...))
     * @param current the value saved with the dashboard (may be empty)
     */
    public record Variable(String name, String type, String query, String regex, int sort, boolean multi, boolean includeAll, String allValue,
            List<String> current) {
    }

    /** Reads a dashboard as exported by Grafana (or the "dashboard" member of an API answer). */
    public static GrafanaDashboard parse(JsonNode root) {
        JsonNode dashboard = root.has("dashboard") && root.get("dashboard").isObject() ? root.get("dashboard") : root;
        List<Panel> panels = new ArrayList<>();
        collect(dashboard.path("panels"), panels);
        // dashboards of schema 15 and older keep their panels in rows
        for (JsonNode row : dashboard.path("rows")) {
            collect(row.path("panels"), panels);
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            String queryText = query.isObject() ? query.path("query").asText("") : query.asText("");
            List<String> current = new ArrayList<>();
            JsonNode value = variable.path("current").path("value");
            if (value.isArray()) {
                value.forEach(v -> current.add(v.asText()));
            } else if (!value.isMissingNode() && !value.isNull()) {
                current.add(value.asText());
            }
            variables.add(new Variable(variable.path("name").asText(), variable.path("type").asText("query"), queryText,
                    variable.path("regex").asText(""), variable.path("sort").asInt(0), variable.path("multi").asBoolean(false),
                    variable.path("includeAll").asBoolean(false), variable.path("allValue").isTextual() ? variable.path("allValue").asText() : null,
                    current));
        }
        return new GrafanaDashboard(dashboard.path("title").asText(""), panels, variables, dashboard.path("time").path("from").asText("now-6h"),
                dashboard.path("time").path("to").asText("now"));
    }

    private static void collect(JsonNode list, List<Panel> panels) {
        for (JsonNode panel : list) {
            if (panel.path("type").asText().equals("row")) {
                collect(panel.path("panels"), panels);
                continue;
            }
            if (!isPrometheus(panel.path("datasource"))) {
                continue;
            }
            List<Target> targets = new ArrayList<>();
            for (JsonNode target : panel.path("targets")) {
                if (!target.hasNonNull("expr") || target.get("expr").asText().isBlank() || !isPrometheus(target.path("datasource"))) {
                    continue;
                }
                boolean instant = target.path("instant").asBoolean(false);
                boolean range = target.path("range").asBoolean(false) || !instant;
                targets.add(new Target(target.path("refId").asText(""), target.get("expr").asText(), instant, range,
                        target.path("interval").isTextual() && !target.path("interval").asText().isBlank() ? target.path("interval").asText() : null,
                        target.path("intervalFactor").asInt(1), target.path("hide").asBoolean(false)));
            }
            if (targets.isEmpty()) {
                collect(panel.path("panels"), panels);
                continue;
            }
            long maxDataPoints = panel.path("maxDataPoints").asLong(0);
            if (maxDataPoints <= 0) {
                int columns = panel.path("gridPos").path("w").asInt(panel.path("span").asInt(12) * 2);
                maxDataPoints = (long) columns * COLUMN_PIXELS;
            }
            String minInterval = panel.path("interval").isTextual() && !panel.path("interval").asText().isBlank() ? panel.path("interval").asText() : null;
            panels.add(new Panel(panel.path("id").asInt(), panel.path("title").asText(""), panel.path("type").asText(), maxDataPoints, minInterval, targets));
        }
    }

    /** A panel or target with no data source, a template ("${datasource}", "$DS"), a Prometheus one or its name; not "-- Grafana --" or another type. */
    private static boolean isPrometheus(JsonNode datasource) {
        if (datasource.isMissingNode() || datasource.isNull()) {
            return true;
        }
        if (datasource.isTextual()) {
            return !datasource.asText().startsWith("-- ");
        }
        String type = datasource.path("type").asText("prometheus");
        return type.equals("prometheus") || type.startsWith("$");
    }
}
