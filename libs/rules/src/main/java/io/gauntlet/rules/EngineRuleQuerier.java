package io.gauntlet.rules;

import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Queryable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Evaluates rule expressions with the PromQL engine over a {@link Queryable} (StoreAPI endpoints, local data), as
 * Prometheus' EngineQueryFunc does: vectors as they are, a scalar as one sample without labels, anything else an error.
 */
public final class EngineRuleQuerier implements RuleQuerier {
    private final PromqlEngine engine;
    private final Function<Boolean, Queryable> queryables;

    /** @param queryables the data to query, given whether the group accepts partial responses */
    public EngineRuleQuerier(PromqlEngine engine, Function<Boolean, Queryable> queryables) {
        this.engine = engine;
        this.queryables = queryables;
    }

    public EngineRuleQuerier(PromqlEngine engine, Queryable queryable) {
        this(engine, partial -> queryable);
    }

    @Override
    public Answer query(String expr, long timeMillis, boolean partialResponse) {
        QueryResult result = engine.instantQuery(queryables.apply(partialResponse), expr, timeMillis);
        List<VectorSample> samples = new ArrayList<>();
        switch (result.value()) {
            case VectorResult vector -> {
                for (int i = 0; i < vector.size(); i++) {
                    samples.add(new VectorSample(vector.labels(i), timeMillis, vector.value(i)));
                }
            }
            case ScalarResult scalar -> samples.add(new VectorSample(Labels.EMPTY, timeMillis, scalar.value()));
            default -> throw new IllegalArgumentException("rule result is not a vector or scalar");
        }
        return new Answer(samples, result.warnings());
    }
}
