package io.gauntlet.promql.engine;

import java.util.List;
import java.util.Objects;

/**
 * What a query returns: its value, the non-fatal warnings the storage reported (partial responses), and its
 * statistics (null when not measured).
 */
public record QueryResult(QueryValue value, List<String> warnings, QueryStats stats) {
    public QueryResult {
        Objects.requireNonNull(value, "value");
        warnings = List.copyOf(warnings);
    }

    public QueryResult(QueryValue value, List<String> warnings) {
        this(value, warnings, null);
    }
}
