package io.gauntlet.promql;

/** Base of every error the PromQL parser and engine raise; the type decides the HTTP API error category. */
public abstract class PromqlException extends RuntimeException {
    protected PromqlException(String message) {
        super(message);
    }

    protected PromqlException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract ErrorType type();
}
