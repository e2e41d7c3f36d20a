package io.gauntlet.promql.engine;

import java.util.List;
import java.util.Objects;

/** What a query returns: its value and the non-fatal warnings the storage reported (partial responses). */
public record QueryResult(QueryValue value, List<String> warnings) {
    public QueryResult {
        Objects.requireNonNull(value, "value");
        warnings = List.copyOf(warnings);
    }
}
