package io.gauntlet.promql;

/** Error categories of the Prometheus HTTP API ({@code errorType} field). */
public enum ErrorType {
    BAD_DATA("bad_data"),
    EXECUTION("execution"),
    TIMEOUT("timeout"),
    CANCELED("canceled"),
    INTERNAL("internal"),
    NOT_FOUND("not_found");

    private final String apiName;

    ErrorType(String apiName) {
        this.apiName = apiName;
    }

    /** The name the HTTP API reports, e.g. {@code bad_data}. */
    public String apiName() {
        return apiName;
    }
}
