package io.gauntlet.rules;

import io.gauntlet.rules.template.AlertTemplateData;
import io.gauntlet.rules.template.GoStringMap;
import io.gauntlet.rules.template.TemplateException;
import io.gauntlet.rules.template.TemplateExpander;
import io.gauntlet.rules.template.TemplateSample;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Prometheus 2.42's alerting rule: pending → firing after {@code for}, {@code keep_firing_for}, resolved alerts kept 15
 * minutes for notification, templated labels and annotations, and the {@code ALERTS} / {@code ALERTS_FOR_STATE} series.
 */
public final class AlertingRule extends Rule {
    /** What Prometheus puts before every label and annotation template. */
    public static final String TEMPLATE_DEFINITIONS =
            "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";
    public static final String ALERTS = "ALERTS";
    public static final String ALERTS_FOR_STATE = "ALERTS_FOR_STATE";
    public static final String ALERT_NAME = "alertname";
    public static final String ALERT_STATE = "alertstate";
    static final long RESOLVED_RETENTION_MILLIS = 15 * 60_000;

    private final long holdMillis;
    private final long keepFiringForMillis;
    private final Labels annotations;
    private final GoStringMap externalLabels;
    private final URI externalUrl;
    private final Map<Labels, Alert> active = new LinkedHashMap<>();
    private volatile boolean restored;
    private volatile List<Alert.Snapshot> snapshots = List.of();

    /**
     * @param restored false when the {@code for} state is to be restored from ALERTS_FOR_STATE first: until then no
     *                 ALERTS series are written (Prometheus' behaviour after a start)
     */
    public AlertingRule(String name, String query, long holdMillis, long keepFiringForMillis, Labels labels, Labels annotations,
            Labels externalLabels, URI externalUrl, boolean restored) {
        super(name, query, labels);
        this.holdMillis = holdMillis;
        this.keepFiringForMillis = keepFiringForMillis;
        this.annotations = annotations;
        this.externalLabels = new GoStringMap(externalLabels.toMap());
        this.externalUrl = externalUrl;
        this.restored = restored;
    }

    public Labels annotations() {
        return annotations;
    }

    public long holdMillis() {
        return holdMillis;
    }

    public long keepFiringForMillis() {
        return keepFiringForMillis;
    }

    public boolean restored() {
        return restored;
    }

    public void setRestored(boolean value) {
        restored = value;
    }

    @Override
    public synchronized List<VectorSample> eval(long ts, RuleQuerier querier, boolean partialResponse, int limit) throws Exception {
        List<VectorSample> result = querier.query(query(), ts, partialResponse).samples();
        Map<Labels, Alert> alerts = new LinkedHashMap<>();
        TemplateExpander.QueryFunction templateQuery = (expr, time) -> {
            List<TemplateSample> samples = new ArrayList<>();
            for (VectorSample sample : querier.query(expr, time, partialResponse).samples()) {
                samples.add(new TemplateSample(new GoStringMap(sample.labels().toMap()), sample.value()));
            }
            return samples;
        };
        TemplateExpander expander = new TemplateExpander(templateQuery, ts, externalUrl);
        for (VectorSample sample : result) {
            AlertTemplateData data = new AlertTemplateData(new GoStringMap(sample.labels().toMap()), externalLabels,
                    externalUrl == null ? "" : externalUrl.toString(), sample.value());
            Labels.Builder builder = sample.labels().toBuilder().delete(Labels.METRIC_NAME);
            labels().forEach((labelName, text) -> {
                String value = expand(expander, text, data);
                if (value.isEmpty()) {
                    builder.delete(labelName);
                } else {
                    builder.set(labelName, value);
                }
            });
            builder.set(ALERT_NAME, name());
            Map<String, String> expandedAnnotations = new HashMap<>();
            annotations.forEach((annotation, text) -> expandedAnnotations.put(annotation, expand(expander, text, data)));
            Labels alertLabels = builder.build();
            if (alerts.containsKey(alertLabels)) {
                throw new RuleEvaluationException("vector contains metrics with the same labelset after applying alert labels");
            }
            alerts.put(alertLabels, new Alert(alertLabels, Labels.fromMap(expandedAnnotations), sample.value(), ts));
        }
        for (Map.Entry<Labels, Alert> entry : alerts.entrySet()) {
            Alert existing = active.get(entry.getKey());
            if (existing != null && existing.state != AlertState.INACTIVE) {
                existing.value = entry.getValue().value;
                existing.annotations = entry.getValue().annotations;
                continue;
            }
            active.put(entry.getKey(), entry.getValue());
        }
        List<VectorSample> out = new ArrayList<>();
        int activePending = 0;
        var iterator = active.entrySet().iterator();
        while (iterator.hasNext()) {
            Map.Entry<Labels, Alert> entry = iterator.next();
            Alert alert = entry.getValue();
            if (!alerts.containsKey(entry.getKey())) {
                boolean keepFiring = false;
                if (alert.state == AlertState.FIRING && keepFiringForMillis > 0) {
                    if (alert.keepFiringSince == Alert.UNSET) {
                        alert.keepFiringSince = ts;
                    }
                    if (ts - alert.keepFiringSince < keepFiringForMillis) {
                        keepFiring = true;
                    }
                }
                if (alert.state == AlertState.PENDING
                        || (alert.resolvedAt != Alert.UNSET && ts - alert.resolvedAt > RESOLVED_RETENTION_MILLIS)) {
                    iterator.remove();
                }
                if (alert.state != AlertState.INACTIVE && !keepFiring) {
                    alert.state = AlertState.INACTIVE;
                    alert.resolvedAt = ts;
                }
                if (!keepFiring) {
                    continue;
                }
            } else {
                alert.keepFiringSince = Alert.UNSET;
            }
            activePending++;
            if (alert.state == AlertState.PENDING && ts - alert.activeAt >= holdMillis) {
                alert.state = AlertState.FIRING;
                alert.firedAt = ts;
            }
            if (restored) {
                out.add(new VectorSample(alertsLabels(alert), ts, 1));
                out.add(new VectorSample(alert.labels.toBuilder().set(Labels.METRIC_NAME, ALERTS_FOR_STATE).build(), ts,
                        Math.floorDiv(alert.activeAt, 1000)));
            }
        }
        if (limit > 0 && activePending > limit) {
            active.clear();
            publishSnapshots();
            throw new RuleEvaluationException("exceeded limit of " + limit + " with " + activePending + " alerts");
        }
        publishSnapshots();
        return out;
    }

    private static Labels alertsLabels(Alert alert) {
        return alert.labels.toBuilder().set(Labels.METRIC_NAME, ALERTS).set(ALERT_STATE, alert.state.apiName()).build();
    }

    private String expand(TemplateExpander expander, String text, AlertTemplateData data) {
        try {
            return expander.expand("__alert_" + name(), TEMPLATE_DEFINITIONS + text, data);
        } catch (TemplateException e) {
            return "<error expanding template: " + e.getMessage() + ">";
        }
    }

    private void publishSnapshots() {
        List<Alert.Snapshot> copy = new ArrayList<>(active.size());
        for (Alert alert : active.values()) {
            copy.add(alert.snapshot());
        }
        snapshots = List.copyOf(copy);
    }

    /** The alerts that need to go to Alertmanager now (Prometheus' sendAlerts); marks them sent. */
    synchronized List<Alert.Snapshot> alertsToSend(long ts, long resendDelayMillis, long intervalMillis) {
        List<Alert.Snapshot> out = new ArrayList<>();
        for (Alert alert : active.values()) {
            if (alert.needsSending(ts, resendDelayMillis)) {
                alert.lastSentAt = ts;
                long delta = Math.max(resendDelayMillis, intervalMillis);
                alert.validUntil = ts + 4 * delta;
                out.add(alert.snapshot());
            }
        }
        publishSnapshots();
        return out;
    }

    /** Current alerts (pending, firing, and resolved ones still kept), oldest first. */
    public List<Alert.Snapshot> activeAlerts() {
        return snapshots;
    }

    /** The highest state among the alerts ("firing" > "pending" > "inactive"). */
    public AlertState state() {
        AlertState max = AlertState.INACTIVE;
        for (Alert.Snapshot alert : snapshots) {
            if (alert.state().ordinal() > max.ordinal()) {
                max = alert.state();
            }
        }
        return max;
    }

    /** Runs {@code action} on every alert that is not inactive (for restoring the {@code for} state). */
    synchronized void forEachActive(Consumer<Alert> action) {
        for (Alert alert : active.values()) {
            if (alert.state != AlertState.INACTIVE) {
                action.accept(alert);
            }
        }
        publishSnapshots();
    }

    /** Matchers that select the ALERTS_FOR_STATE series of an alert. */
    static List<LabelMatcher> forStateMatchers(Labels alertLabels) {
        List<LabelMatcher> matchers = new ArrayList<>();
        matchers.add(LabelMatcher.of(LabelMatcher.Type.EQUAL, Labels.METRIC_NAME, ALERTS_FOR_STATE));
        alertLabels.forEach((n, v) -> matchers.add(LabelMatcher.of(LabelMatcher.Type.EQUAL, n, v)));
        return matchers;
    }

    /** Takes over the alerts of the rule this one replaces on a reload (Prometheus' Group.CopyState). */
    synchronized void copyStateFrom(AlertingRule previous) {
        synchronized (previous) {
            active.putAll(previous.active);
            restored = previous.restored || restored;
        }
        publishSnapshots();
    }

}
