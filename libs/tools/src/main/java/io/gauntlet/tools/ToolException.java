package io.gauntlet.tools;

/** A tool's request that cannot be carried out, with a message for the operator (no stack trace needed). */
public final class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message);
    }
}
