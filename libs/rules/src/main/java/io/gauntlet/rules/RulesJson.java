package io.gauntlet.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gauntlet.rules.template.GoFmt;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Prometheus 2.42's {@code /api/v1/rules} and {@code /api/v1/alerts} JSON for a set of rule groups: field names and
 * order, {@code "1e+00"} values, Go's zero time for never-evaluated rules, {@code type} filter ("alert"/"record").
 */
public final class RulesJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private RulesJson() {
    }

    /** {@code {"status":"success","data":{"groups":[…]}}}; {@code type} is "", "alert" or "record". */
    public static String rules(List<RuleGroup> groups, String type, Labels externalLabels) {
        return write(json -> {
            json.writeArrayFieldStart("groups");
            for (RuleGroup group : groups) {
                json.writeStartObject();
                json.writeStringField("name", group.name());
                json.writeStringField("file", group.file());
                json.writeArrayFieldStart("rules");
                for (Rule rule : group.rules()) {
                    if (rule instanceof AlertingRule alerting && !type.equals("record")) {
                        writeAlertingRule(json, alerting, externalLabels);
                    } else if (rule instanceof RecordingRule recording && !type.equals("alert")) {
                        writeRecordingRule(json, recording, externalLabels);
                    }
                }
                json.writeEndArray();
                json.writeNumberField("interval", group.intervalMillis() / 1000.0);
                json.writeNumberField("limit", group.limit());
                json.writeNumberField("evaluationTime", group.lastDurationNanos() / 1e9);
                json.writeStringField("lastEvaluation", time(group.lastEvaluationMillis()));
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    /** {@code {"status":"success","data":{"alerts":[…]}}}: pending and firing alerts of every rule. */
    public static String alerts(List<RuleGroup> groups, Labels externalLabels) {
        return write(json -> {
            json.writeArrayFieldStart("alerts");
            for (RuleGroup group : groups) {
                for (Rule rule : group.rules()) {
                    if (rule instanceof AlertingRule alerting) {
                        for (Alert.Snapshot alert : alerting.activeAlerts()) {
                            if (alert.state() != AlertState.INACTIVE) {
                                writeAlert(json, alert, externalLabels);
                            }
                        }
                    }
                }
            }
            json.writeEndArray();
        });
    }

    private interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("status", "success");
            json.writeObjectFieldStart("data");
            body.write(json);
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void writeAlertingRule(JsonGenerator json, AlertingRule rule, Labels externalLabels) throws IOException {
        json.writeStartObject();
        json.writeStringField("state", rule.state().apiName());
        json.writeStringField("name", rule.name());
        json.writeStringField("query", rule.query());
        json.writeNumberField("duration", rule.holdMillis() / 1000.0);
        json.writeNumberField("keepFiringFor", rule.keepFiringForMillis() / 1000.0);
        writeLabels(json, "labels", rule.labels());
        writeLabels(json, "annotations", rule.annotations());
        json.writeArrayFieldStart("alerts");
        for (Alert.Snapshot alert : rule.activeAlerts()) {
            if (alert.state() != AlertState.INACTIVE) {
                writeAlert(json, alert, externalLabels);
            }
        }
        json.writeEndArray();
        writeStatus(json, rule.status());
        json.writeStringField("type", "alerting");
        json.writeEndObject();
    }

    private static void writeRecordingRule(JsonGenerator json, RecordingRule rule, Labels externalLabels) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", rule.name());
        json.writeStringField("query", rule.query());
        if (!rule.labels().isEmpty()) {
            writeLabels(json, "labels", rule.labels());
        }
        writeStatus(json, rule.status());
        json.writeStringField("type", "recording");
        json.writeEndObject();
    }

    private static void writeStatus(JsonGenerator json, Rule.RuleStatus status) throws IOException {
        json.writeStringField("health", status.health().apiName());
        if (!status.lastError().isEmpty()) {
            json.writeStringField("lastError", status.lastError());
        }
        json.writeNumberField("evaluationTime", status.evaluationNanos() / 1e9);
        json.writeStringField("lastEvaluation", time(status.lastEvaluationMillis()));
    }

    private static void writeAlert(JsonGenerator json, Alert.Snapshot alert, Labels externalLabels) throws IOException {
        json.writeStartObject();
        writeLabels(json, "labels", alert.labels());
        writeLabels(json, "annotations", alert.annotations());
        json.writeStringField("state", alert.state().apiName());
        json.writeStringField("activeAt", time(alert.activeAt()));
        json.writeStringField("value", GoFmt.formatFloat(alert.value(), 'e', -1));
        json.writeEndObject();
    }

    private static void writeLabels(JsonGenerator json, String field, Labels labels) throws IOException {
        json.writeObjectFieldStart(field);
        for (int i = 0; i < labels.size(); i++) {
            json.writeStringField(labels.name(i), labels.value(i));
        }
        json.writeEndObject();
    }

    /** Go's RFC 3339 with nanoseconds (trailing zeros cut); 0 and unset print as Go's zero time. */
    public static String time(long millis) {
        if (millis == 0 || millis == Alert.UNSET) {
            return "0001-01-01T00:00:00Z";
        }
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(millis));
    }
}
