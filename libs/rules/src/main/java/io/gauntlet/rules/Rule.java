package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;
import java.util.List;

/** A recording or alerting rule of a group: evaluation plus the state the rules APIs show. */
public sealed interface Rule permits RecordingRule, AlertingRule {
    String name();

    /** The expression as written (Prometheus prints the parsed form; see {@link #query()}). */
    String query();

    Labels labels();

    /** Evaluates at {@code ts}; the samples to append (recorded series, or ALERTS and ALERTS_FOR_STATE). */
    List<VectorSample> eval(long ts, RuleQuerier querier, boolean partialResponse, int limit) throws Exception;

    RuleStatus status();

    void recordSuccess(long evaluatedAtMillis, long durationNanos);

    void recordFailure(long evaluatedAtMillis, long durationNanos, String error);

    /** Health, last error, when and how long the last evaluation ran (0 when never). */
    record RuleStatus(RuleHealth health, String lastError, long lastEvaluationMillis, long evaluationNanos) {
        static final RuleStatus NEVER = new RuleStatus(RuleHealth.UNKNOWN, "", 0, 0);
    }
}
