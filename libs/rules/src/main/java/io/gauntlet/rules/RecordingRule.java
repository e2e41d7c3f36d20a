package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Prometheus' recording rule: the query's vector renamed to {@code record} with the rule's labels set (empty ones removed). */
public final class RecordingRule extends Rule {
    public RecordingRule(String name, String query, Labels labels) {
        super(name, query, labels);
    }

    @Override
    public List<VectorSample> eval(long ts, RuleQuerier querier, boolean partialResponse, int limit) throws Exception {
        List<VectorSample> vector = querier.query(query(), ts, partialResponse).samples();
        List<VectorSample> out = new ArrayList<>(vector.size());
        Set<Labels> seen = new HashSet<>();
        for (VectorSample sample : vector) {
            Labels.Builder builder = sample.labels().toBuilder().set(Labels.METRIC_NAME, name());
            labels().forEach((labelName, value) -> {
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

}
