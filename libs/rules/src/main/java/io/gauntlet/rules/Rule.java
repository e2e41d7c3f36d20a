package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;
import java.util.List;

/** A recording or alerting rule of a group: evaluation plus the state the rules APIs show. */
public abstract sealed class Rule permits RecordingRule, AlertingRule {
    private final String name;
    private final String query;
    private final Labels labels;
    private volatile RuleStatus status = RuleStatus.NEVER;

    Rule(String name, String query, Labels labels) {
        this.name = name;
        this.query = query;
        this.labels = labels;
    }

    public final String name() {
        return name;
    }

    /** The expression as Prometheus prints it after parsing. */
    public final String query() {
        return query;
    }

    public final Labels labels() {
        return labels;
    }

    /** Evaluates at {@code ts}; the samples to append (recorded series, or ALERTS and ALERTS_FOR_STATE). */
    public abstract List<VectorSample> eval(long ts, RuleQuerier querier, boolean partialResponse, int limit) throws Exception;

    public final RuleStatus status() {
        return status;
    }

    final void recordSuccess(long evaluatedAtMillis, long durationNanos) {
        status = new RuleStatus(RuleHealth.OK, "", evaluatedAtMillis, durationNanos);
    }

    final void recordFailure(long evaluatedAtMillis, long durationNanos, String error) {
        status = new RuleStatus(RuleHealth.ERR, error, evaluatedAtMillis, durationNanos);
    }

    /** Health, last error, when and how long the last evaluation ran (0 when never). */
    public record RuleStatus(RuleHealth health, String lastError, long lastEvaluationMillis, long evaluationNanos) {
        static final RuleStatus NEVER = new RuleStatus(RuleHealth.UNKNOWN, "", 0, 0);
    }
}
