package io.gauntlet.promql.engine;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import java.util.Objects;

/** An error while evaluating a query; the type says which Prometheus API error category it maps to. */
public final class QueryExecutionException extends PromqlException {
    private final ErrorType type;

    public QueryExecutionException(ErrorType type, String message) {
        super(message);
        this.type = Objects.requireNonNull(type, "type");
    }

    public QueryExecutionException(ErrorType type, String message, Throwable cause) {
        super(message, cause);
        this.type = Objects.requireNonNull(type, "type");
    }

    static QueryExecutionException execution(String message) {
        return new QueryExecutionException(ErrorType.EXECUTION, message);
    }

    static QueryExecutionException badData(String message) {
        return new QueryExecutionException(ErrorType.BAD_DATA, message);
    }

    @Override
    public ErrorType type() {
        return type;
    }
}
