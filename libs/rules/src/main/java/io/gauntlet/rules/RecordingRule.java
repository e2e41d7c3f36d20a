package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Prometheus' recording rule: the query's vector renamed to {@code record} with the rule's labels set (empty ones removed). */
public final class RecordingRule implements Rule {
    private final String name;
    private final String query;
    private final Labels labels;
    private volatile RuleStatus status = RuleStatus.NEVER;

    public RecordingRule(String name, String query, Labels labels) {
        this.name = name;
        this.query = query;
        this.labels = labels;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String query() {
        return query;
    }

    @Override
    public Labels labels() {
        return labels;
    }

    @Override
    public List<VectorSample> eval(long ts, RuleQuerier querier, boolean partialResponse, int limit) throws Exception {
        List<VectorSample> vector = querier.query(query, ts, partialResponse).samples();
        List<VectorSample> out = new ArrayList<>(vector.size());
        Set<Labels> seen = new HashSet<>();
        for (VectorSample sample : vector) {
            Labels.Builder builder = sample.labels().toBuilder().set(Labels.METRIC_NAME, name);
            labels.forEach((labelName, value) -> {
                if (value.isEmpty()) {
                    builder.delete(labelName);
                } else {
                    builder.set(labelName, value);
                }
            });
            Labels result = builder.build();
            if (!seen.add(result)) {
                throw new RuleEvaluationException("vector contains metrics with the same labelset after applying rule labels");
            }
            out.add(new VectorSample(result, ts, sample.value()));
        }
        if (limit > 0 && out.size() > limit) {
            throw new RuleEvaluationException("exceeded limit of " + limit + " with " + out.size() + " series");
        }
        return out;
    }

    @Override
    public RuleStatus status() {
        return status;
    }

    @Override
    public void recordSuccess(long evaluatedAtMillis, long durationNanos) {
        status = new RuleStatus(RuleHealth.OK, "", evaluatedAtMillis, durationNanos);
    }

    @Override
    public void recordFailure(long evaluatedAtMillis, long durationNanos, String error) {
        status = new RuleStatus(RuleHealth.ERR, error, evaluatedAtMillis, durationNanos);
    }
}
