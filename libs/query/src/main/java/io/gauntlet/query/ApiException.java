package io.gauntlet.query;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.grpc.Status;
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

    /**
     * A fan-out's failure as the gRPC status a querier serving it to another querier answers: bad input (a query that
     * does not parse, a bad parameter) INVALID_ARGUMENT, endpoints failing under the ABORT strategy ABORTED (as the
     * querier's StoreAPI answers), anything else INTERNAL.
     */
    public static Status grpcStatus(RuntimeException error) {
        if (error instanceof ApiException api) {
            return (api.type() == ErrorType.BAD_DATA ? Status.INVALID_ARGUMENT : Status.ABORTED).withDescription(api.getMessage());
        }
        if (error instanceof PromqlException) {
            return Status.INVALID_ARGUMENT.withDescription(error.getMessage());
        }
        return Status.INTERNAL.withDescription(String.valueOf(error));
    }
}
