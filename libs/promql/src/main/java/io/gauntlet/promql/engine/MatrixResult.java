package io.gauntlet.promql.engine;

import java.util.List;

/** A range matrix: series with several points each (range queries, range vector selectors, subqueries). */
public record MatrixResult(List<RangeSeries> series) implements QueryValue {
    public MatrixResult {
        series = List.copyOf(series);
    }

    @Override
    public String resultType() {
        return "matrix";
    }
}
