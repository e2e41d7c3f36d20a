package io.gauntlet.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Timestamp;
import io.gauntlet.promql.ErrorType;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.LabelSet;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.rules.Alert;
import io.gauntlet.proto.thanos.rules.AlertInstance;
import io.gauntlet.proto.thanos.rules.RecordingRule;
import io.gauntlet.proto.thanos.rules.Rule;
import io.gauntlet.proto.thanos.rules.RuleGroup;
import io.gauntlet.proto.thanos.rules.RulesGrpc;
import io.gauntlet.proto.thanos.rules.RulesRequest;
import io.gauntlet.proto.thanos.rules.RulesResponse;
import io.gauntlet.store.StoreFanOut;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The querier's {@code /api/v1/rules} and {@code /api/v1/alerts}: every healthy endpoint whose Info announces the
 * Rules API is asked over {@code thanos.Rules}; groups with the same file and name are merged, rules that differ only
 * in replica labels (HA rulers) are kept once — the one whose alerts are in the highest state, then the most recently
 * evaluated — and the answer is Prometheus' JSON.
 */
public final class RulesFanOut implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public RulesFanOut(Supplier<List<StoreFanOut.Endpoint>> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    /** The merged groups and the warnings of endpoints that failed (with partial response). */
    public record Result(List<RuleGroup> groups, List<String> warnings) {
    }

    /**
     * @param type            "", "alert" or "record" (Prometheus' {@code type} parameter)
     * @param replicaLabels   labels removed before deduplicating (none: no deduplication)
     * @throws ApiException bad_data for an unknown type; internal when an endpoint failed without partial response
     */
    public Result rules(String type, List<String> replicaLabels, boolean partialResponse) {
        RulesRequest.Type requestType = switch (type) {
            case "" -> RulesRequest.Type.ALL;
            case "alert" -> RulesRequest.Type.ALERT;
            case "record" -> RulesRequest.Type.RECORD;
            default -> throw ApiException.invalidParameter("type", "not supported value \"" + type + "\"");
        };
        RulesRequest request = RulesRequest.newBuilder().setType(requestType)
                .setPartialResponseStrategy(partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT).build();
        List<StoreFanOut.Endpoint> targets = endpoints.get().stream().filter(e -> e.info() != null && e.info().hasRules()).toList();
        List<Future<List<RulesResponse>>> answers = new ArrayList<>();
        for (StoreFanOut.Endpoint endpoint : targets) {
            answers.add(calls.submit(() -> {
                List<RulesResponse> frames = new ArrayList<>();
                Iterator<RulesResponse> stream = RulesGrpc.newBlockingStub(endpoint.client().channel())
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).rules(request);
                stream.forEachRemaining(frames::add);
                return frames;
            }));
        }
        Map<String, RuleGroup.Builder> groups = new LinkedHashMap<>();
        Map<String, Rule> rulesByKey = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            List<RulesResponse> frames;
            try {
                frames = answers.get(i).get();
            } catch (Exception e) {
                String message = "fetching rules from " + targets.get(i).client().name() + ": "
                        + (e.getCause() == null ? e.toString() : e.getCause().getMessage());
                if (!partialResponse) {
                    throw new ApiException(ErrorType.INTERNAL, message, e);
                }
                warnings.add(message);
                continue;
            }
            for (RulesResponse frame : frames) {
                if (frame.hasWarning()) {
                    warnings.add(frame.getWarning());
                    continue;
                }
                RuleGroup group = frame.getGroup();
                String groupKey = group.getFile() + "\u0000" + group.getName();
                RuleGroup.Builder merged = groups.computeIfAbsent(groupKey, k -> group.toBuilder().clearRules());
                for (Rule rule : group.getRulesList()) {
                    Rule stripped = withoutReplicaLabels(rule, replicaLabels);
                    String ruleKey = groupKey + "\u0000" + key(stripped);
                    Rule kept = rulesByKey.get(ruleKey);
                    if (kept == null || better(stripped, kept)) {
                        rulesByKey.put(ruleKey, stripped);
                    }
                }
                if (group.getLastEvaluation().getSeconds() > merged.getLastEvaluation().getSeconds()) {
                    merged.setLastEvaluation(group.getLastEvaluation()).setEvaluationDurationSeconds(group.getEvaluationDurationSeconds());
                }
            }
        }
        for (Map.Entry<String, Rule> rule : rulesByKey.entrySet()) {
            String groupKey = rule.getKey().substring(0, rule.getKey().indexOf('\u0000', rule.getKey().indexOf('\u0000') + 1));
            groups.get(groupKey).addRules(rule.getValue());
        }
        return new Result(groups.values().stream().map(RuleGroup.Builder::build).toList(), warnings);
    }

    /**
     * {@code thanos.Rules} over this fan-out, for a querier one level up (Thanos' querier serves its rules proxy so): the
     * endpoints' groups merged but not deduplicated on replica labels (the querier above does that), then the warnings;
     * an endpoint failing under the ABORT strategy is ABORTED. The request's matcher/name/group/file filters are not applied.
     */
    public BindableService service() {
        return new RulesGrpc.RulesImplBase() {
            @Override
            public void rules(RulesRequest request, StreamObserver<RulesResponse> out) {
                Result result;
                try {
                    String type = switch (request.getType()) {
                        case ALERT -> "alert";
                        case RECORD -> "record";
                        default -> "";
                    };
                    result = RulesFanOut.this.rules(type, List.of(), request.getPartialResponseStrategy() != PartialResponseStrategy.ABORT);
                } catch (RuntimeException e) {
                    out.onError(ApiException.grpcStatus(e).asRuntimeException());
                    return;
                }
                result.groups().forEach(group -> out.onNext(RulesResponse.newBuilder().setGroup(group).build()));
                result.warnings().forEach(warning -> out.onNext(RulesResponse.newBuilder().setWarning(warning).build()));
                out.onCompleted();
            }
        };
    }

    private static String key(Rule rule) {
        if (rule.hasAlert()) {
            Alert alert = rule.getAlert();
            return "alert\u0000" + alert.getName() + "\u0000" + alert.getQuery() + "\u0000" + alert.getLabels();
        }
        RecordingRule recording = rule.getRecording();
        return "record\u0000" + recording.getName() + "\u0000" + recording.getQuery() + "\u0000" + recording.getLabels();
    }

    private static boolean better(Rule candidate, Rule kept) {
        if (candidate.hasAlert() && kept.hasAlert() && candidate.getAlert().getStateValue() != kept.getAlert().getStateValue()) {
            return candidate.getAlert().getStateValue() > kept.getAlert().getStateValue();
        }
        return seconds(lastEvaluation(candidate)) > seconds(lastEvaluation(kept));
    }

    private static Timestamp lastEvaluation(Rule rule) {
        return rule.hasAlert() ? rule.getAlert().getLastEvaluation() : rule.getRecording().getLastEvaluation();
    }

    private static double seconds(Timestamp timestamp) {
        return timestamp.getSeconds() + timestamp.getNanos() / 1e9;
    }

    private static Rule withoutReplicaLabels(Rule rule, List<String> replicaLabels) {
        if (replicaLabels.isEmpty()) {
            return rule;
        }
        if (rule.hasRecording()) {
            RecordingRule recording = rule.getRecording();
            return Rule.newBuilder().setRecording(recording.toBuilder().setLabels(strip(recording.getLabels(), replicaLabels))).build();
        }
        Alert.Builder alert = rule.getAlert().toBuilder().setLabels(strip(rule.getAlert().getLabels(), replicaLabels)).clearAlerts();
        for (AlertInstance instance : rule.getAlert().getAlertsList()) {
            alert.addAlerts(instance.toBuilder().setLabels(strip(instance.getLabels(), replicaLabels)));
        }
        return Rule.newBuilder().setAlert(alert).build();
    }

    private static LabelSet strip(LabelSet labels, List<String> replicaLabels) {
        LabelSet.Builder out = LabelSet.newBuilder();
        for (Label label : labels.getLabelsList()) {
            if (!replicaLabels.contains(label.getName())) {
                out.addLabels(label);
            }
        }
        return out.build();
    }

    /** Prometheus' {@code /api/v1/rules} data, with Thanos' {@code partialResponseStrategy} per group. */
    public static String rulesData(List<RuleGroup> groups) {
        return write(json -> {
            json.writeArrayFieldStart("groups");
            for (RuleGroup group : groups) {
                json.writeStartObject();
                json.writeStringField("name", group.getName());
                json.writeStringField("file", group.getFile());
                json.writeArrayFieldStart("rules");
                for (Rule rule : group.getRulesList()) {
                    if (rule.hasAlert()) {
                        writeAlertingRule(json, rule.getAlert());
                    } else {
                        writeRecordingRule(json, rule.getRecording());
                    }
                }
                json.writeEndArray();
                json.writeNumberField("interval", group.getInterval());
                json.writeNumberField("limit", group.getLimit());
                json.writeNumberField("evaluationTime", group.getEvaluationDurationSeconds());
                json.writeStringField("lastEvaluation", time(group.getLastEvaluation()));
                json.writeStringField("partialResponseStrategy", group.getPartialResponseStrategy().name());
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    /** Prometheus' {@code /api/v1/alerts} data: the pending and firing alerts of every rule. */
    public static String alertsData(List<RuleGroup> groups) {
        return write(json -> {
            json.writeArrayFieldStart("alerts");
            for (RuleGroup group : groups) {
                for (Rule rule : group.getRulesList()) {
                    if (rule.hasAlert()) {
                        for (AlertInstance alert : rule.getAlert().getAlertsList()) {
                            writeAlert(json, alert);
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
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            body.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void writeAlertingRule(JsonGenerator json, Alert alert) throws IOException {
        json.writeStartObject();
        json.writeStringField("state", alert.getState().name().toLowerCase(java.util.Locale.ROOT));
        json.writeStringField("name", alert.getName());
        json.writeStringField("query", alert.getQuery());
        json.writeNumberField("duration", alert.getDurationSeconds());
        json.writeNumberField("keepFiringFor", alert.getKeepFiringForSeconds());
        writeLabels(json, "labels", alert.getLabels());
        writeLabels(json, "annotations", alert.getAnnotations());
        json.writeArrayFieldStart("alerts");
        for (AlertInstance instance : alert.getAlertsList()) {
            writeAlert(json, instance);
        }
        json.writeEndArray();
        writeStatus(json, alert.getHealth(), alert.getLastError(), alert.getEvaluationDurationSeconds(), alert.getLastEvaluation());
        json.writeStringField("type", "alerting");
        json.writeEndObject();
    }

    private static void writeRecordingRule(JsonGenerator json, RecordingRule rule) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", rule.getName());
        json.writeStringField("query", rule.getQuery());
        if (rule.getLabels().getLabelsCount() > 0) {
            writeLabels(json, "labels", rule.getLabels());
        }
        writeStatus(json, rule.getHealth(), rule.getLastError(), rule.getEvaluationDurationSeconds(), rule.getLastEvaluation());
        json.writeStringField("type", "recording");
        json.writeEndObject();
    }

    private static void writeStatus(JsonGenerator json, String health, String lastError, double seconds, Timestamp last) throws IOException {
        json.writeStringField("health", health);
        if (!lastError.isEmpty()) {
            json.writeStringField("lastError", lastError);
        }
        json.writeNumberField("evaluationTime", seconds);
        json.writeStringField("lastEvaluation", time(last));
    }

    private static void writeAlert(JsonGenerator json, AlertInstance alert) throws IOException {
        json.writeStartObject();
        writeLabels(json, "labels", alert.getLabels());
        writeLabels(json, "annotations", alert.getAnnotations());
        json.writeStringField("state", alert.getState().name().toLowerCase(java.util.Locale.ROOT));
        json.writeStringField("activeAt", time(alert.getActiveAt()));
        json.writeStringField("value", alert.getValue());
        json.writeEndObject();
    }

    private static void writeLabels(JsonGenerator json, String field, LabelSet labels) throws IOException {
        json.writeObjectFieldStart(field);
        for (Label label : labels.getLabelsList()) {
            json.writeStringField(label.getName(), label.getValue());
        }
        json.writeEndObject();
    }

    private static String time(Timestamp timestamp) {
        if (timestamp.getSeconds() <= -62135596800L) {
            return "0001-01-01T00:00:00Z";
        }
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
