package io.gauntlet.query;

import io.gauntlet.promql.ErrorType;
import java.util.Objects;

/** A request the HTTP API refuses or could not answer; the type picks the {@code errorType} and the status code. */
public final class ApiException extends RuntimeException {
    private final ErrorType type;

    public ApiException(ErrorType type, String message) {
        super(message);
        this.type = Objects.requireNonNull(type, "type");
    }

    public ApiException(ErrorType type, String message, Throwable cause) {
        super(message, cause);
        this.type = Objects.requireNonNull(type, "type");
    }

    public static ApiException badData(String message) {
        return new ApiException(ErrorType.BAD_DATA, message);
    }

    /** Prometheus' {@code invalid parameter "name": cause}. */
    public static ApiException invalidParameter(String parameter, String cause) {
        return badData("invalid parameter \"" + parameter + "\": " + cause);
    }

    public ErrorType type() {
        return type;
    }

    /** The HTTP status Prometheus 2.42 answers with for this error type. */
    public static int httpStatus(ErrorType type) {
        return switch (type) {
            case BAD_DATA -> 400;
            case EXECUTION -> 422;
            case CANCELED, TIMEOUT -> 503;
            case NOT_FOUND -> 404;
            case INTERNAL -> 500;
        };
    }
}
