package io.gauntlet.rules;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.XxHash64;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule group: its rules evaluated in order at one timestamp, each rule's output appended in one batch, series a rule
 * stopped producing marked stale, alerts handed to the notifier (Prometheus' rules.Group, without its clock: the
 * {@link RuleManager} or a test picks the timestamps).
 */
public final class RuleGroup {
    /** Prometheus' value.StaleNaN: the NaN bit pattern that marks a series as ended. */
    public static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    /** Receives the alerts of one rule that need sending (Prometheus' NotifyFunc). */
    @FunctionalInterface
    public interface AlertSink {
        void send(String expr, List<Alert.Snapshot> alerts);

        AlertSink NONE = (expr, alerts) -> {
        };
    }

    private final String name;
    private final String file;
    private final long intervalMillis;
    private final int limit;
    private final boolean partialResponse;
    private final List<Rule> rules;
    private final List<Map<Labels, Boolean>> seriesInPreviousEval;
    private volatile long lastEvaluationMillis;
    private volatile long lastDurationNanos;
    private volatile long lastSamples;

    public RuleGroup(String name, String file, long intervalMillis, int limit, boolean partialResponse, List<Rule> rules) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("group " + name + ": interval must be positive, got " + intervalMillis);
        }
        this.name = name;
        this.file = file;
        this.intervalMillis = intervalMillis;
        this.limit = limit;
        this.partialResponse = partialResponse;
        this.rules = List.copyOf(rules);
        this.seriesInPreviousEval = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            seriesInPreviousEval.add(new HashMap<>());
        }
    }

    public String name() {
        return name;
    }

    public String file() {
        return file;
    }

    /** Prometheus' group key, the {@code rule_group} label of the rule metrics. */
    public String key() {
        return file + ";" + name;
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    public int limit() {
        return limit;
    }

    public boolean partialResponse() {
        return partialResponse;
    }

    public List<Rule> rules() {
        return rules;
    }

    public long lastEvaluationMillis() {
        return lastEvaluationMillis;
    }

    public long lastDurationNanos() {
        return lastDurationNanos;
    }

    public long lastSamples() {
        return lastSamples;
    }

    /** The hash Prometheus offsets a group's evaluations by: labels {file, name} hashed as Labels.Hash does. */
    long hash() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String part : new String[] {"file", file, "name", name}) {
            byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
            bytes.write(utf8, 0, utf8.length);
            bytes.write(0xff);
        }
        return XxHash64.hash(bytes.toByteArray());
    }

    /** Prometheus' EvalTimestamp: the latest evaluation slot at or before {@code nowNanos}, offset by the group's hash. */
    public long evalTimestampNanos(long nowNanos) {
        long interval = intervalMillis * 1_000_000;
        long offset = Long.remainderUnsigned(hash(), interval);
        long adjusted = nowNanos - offset;
        long base = adjusted - (adjusted % interval);
        return base + offset;
    }

    /**
     * Evaluates every rule at {@code ts} (milliseconds) in order. A failing rule is recorded (health, last error, the
     * metrics) and the next one runs; its previous series are not marked stale, as in Prometheus.
     */
    public void evaluate(long ts, RuleQuerier querier, SampleAppender appender, AlertSink alerts, long resendDelayMillis,
            RuleMetrics metrics) {
        long groupStart = System.nanoTime();
        long samples = 0;
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            long start = System.nanoTime();
            metrics.evaluation(this);
            List<VectorSample> vector;
            try {
                vector = rule.eval(ts, querier, partialResponse, limit);
            } catch (Exception e) {
                long duration = System.nanoTime() - start;
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                rule.recordFailure(System.currentTimeMillis(), duration, message);
                metrics.failure(this, rule, message);
                continue;
            }
            samples += vector.size();
            if (rule instanceof AlertingRule alerting) {
                List<Alert.Snapshot> toSend = alerting.alertsToSend(ts, resendDelayMillis, intervalMillis);
                if (!toSend.isEmpty()) {
                    alerts.send(rule.query(), toSend);
                }
            }
            Map<Labels, Boolean> returned = new HashMap<>();
            for (VectorSample sample : vector) {
                if (appender.append(sample.labels(), sample.timestamp(), sample.value())) {
                    returned.put(sample.labels(), Boolean.TRUE);
                } else {
                    metrics.outOfOrder(this);
                }
            }
            for (Labels previous : seriesInPreviousEval.get(i).keySet()) {
                if (!returned.containsKey(previous)) {
                    appender.append(previous, ts, STALE_NAN);
                }
            }
            seriesInPreviousEval.set(i, returned);
            try {
                appender.commit();
            } catch (java.io.IOException e) {
                String message = "commit of the rule's samples failed: " + e.getMessage();
                rule.recordFailure(System.currentTimeMillis(), System.nanoTime() - start, message);
                metrics.failure(this, rule, message);
                continue;
            }
            rule.recordSuccess(System.currentTimeMillis(), System.nanoTime() - start);
            metrics.ruleDuration(System.nanoTime() - start);
        }
        lastDurationNanos = System.nanoTime() - groupStart;
        lastEvaluationMillis = System.currentTimeMillis();
        lastSamples = samples;
        metrics.groupEvaluated(this, ts);
    }

    /** Appends a stale marker at {@code ts} for every series the group wrote last time (a removed group, a stop). */
    public void markAllStale(long ts, SampleAppender appender) throws java.io.IOException {
        for (Map<Labels, Boolean> series : seriesInPreviousEval) {
            for (Labels labels : series.keySet()) {
                appender.append(labels, ts, STALE_NAN);
            }
            series.clear();
        }
        appender.commit();
    }

    /**
     * Prometheus' RestoreForState: for each active alert of a rule whose {@code for} is at least the grace period, reads
     * its last ALERTS_FOR_STATE sample in {@code [ts - outageTolerance, ts]} and moves its activeAt so that the time it
     * already spent pending counts, the downtime does not, and it never fires sooner than the grace period.
     */
    public void restoreForState(long ts, Queryable queryable, long outageToleranceMillis, long gracePeriodMillis) throws Exception {
        try (Querier querier = queryable.querier(ts - outageToleranceMillis, ts)) {
            for (Rule rule : rules) {
                if (!(rule instanceof AlertingRule alerting)) {
                    continue;
                }
                long hold = alerting.holdMillis();
                if (hold < gracePeriodMillis) {
                    alerting.setRestored(true);
                    continue;
                }
                List<Exception> failures = new ArrayList<>();
                alerting.forEachActive(alert -> {
                    try {
                        restoreOne(alert, querier, ts, hold, gracePeriodMillis);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                });
                alerting.setRestored(true);
                if (!failures.isEmpty()) {
                    throw failures.getFirst();
                }
            }
        }
    }

    private static void restoreOne(Alert alert, Querier querier, long ts, long hold, long gracePeriodMillis) throws Exception {
        List<LabelMatcher> matchers = AlertingRule.forStateMatchers(alert.labels);
        SeriesSet set = querier.select(false, null, matchers);
        Labels expected = alert.labels.toBuilder().set(Labels.METRIC_NAME, AlertingRule.ALERTS_FOR_STATE).build();
        while (set.next()) {
            if (!set.at().labels().equals(expected)) {
                continue;
            }
            SampleIterator it = set.at().iterator(null);
            long t = Long.MIN_VALUE;
            double v = 0;
            while (it.next()) {
                t = it.timestamp();
                v = it.value();
            }
            if (t == Long.MIN_VALUE || Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(STALE_NAN)) {
                System.getLogger(RuleGroup.class.getName()).log(System.Logger.Level.INFO,
                        "not restoring {0}: its last ALERTS_FOR_STATE sample is a stale marker", alert.labels);
                return;
            }
            long downAt = Math.floorDiv(t, 1000) * 1000;
            long restoredActiveAt = (long) v * 1000;
            long remaining = hold - (downAt - restoredActiveAt);
            if (remaining <= 0) {
                return;
            } else if (remaining < gracePeriodMillis) {
                restoredActiveAt = ts + gracePeriodMillis - hold;
            } else {
                restoredActiveAt = restoredActiveAt + (ts - downAt);
            }
            System.getLogger(RuleGroup.class.getName()).log(System.Logger.Level.INFO,
                    "restored the for state of {0}: active since {1} (last ALERTS_FOR_STATE sample at {2}) instead of {3}",
                    alert.labels, restoredActiveAt, t, alert.activeAt);
            alert.activeAt = restoredActiveAt;
            return;
        }
        System.getLogger(RuleGroup.class.getName()).log(System.Logger.Level.INFO,
                "no ALERTS_FOR_STATE series to restore {0} from", alert.labels);
    }

    /** Takes over rule state of the group this one replaces: alerts of same-named rules and series to mark stale. */
    void copyStateFrom(RuleGroup previous) {
        Map<String, Integer> previousByKey = new HashMap<>();
        for (int i = 0; i < previous.rules.size(); i++) {
            previousByKey.putIfAbsent(ruleKey(previous.rules.get(i)), i);
        }
        for (int i = 0; i < rules.size(); i++) {
            Integer index = previousByKey.remove(ruleKey(rules.get(i)));
            if (index == null) {
                continue;
            }
            seriesInPreviousEval.set(i, previous.seriesInPreviousEval.get(index));
            if (rules.get(i) instanceof AlertingRule now && previous.rules.get(index) instanceof AlertingRule before) {
                now.copyStateFrom(before);
            }
        }
        lastEvaluationMillis = previous.lastEvaluationMillis;
        lastDurationNanos = previous.lastDurationNanos;
    }

    private static String ruleKey(Rule rule) {
        return rule.name() + rule.labels();
    }
}
