package io.gauntlet.promql.parser;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.PositionRange;

/**
 * A query that is not valid PromQL. The message reads as Prometheus prints it: {@code <line>:<col>: parse error: ...}
 * ({@link #detail()} is the part after "parse error: ").
 */
public final class ParseException extends PromqlException {
    private final PositionRange position;
    private final String detail;

    public ParseException(String message, PositionRange position, String detail) {
        super(message);
        this.position = position;
        this.detail = detail;
    }

    /** Builds the message with the line and column of {@code position.start()} (a UTF-8 byte offset) in the query. */
    public static ParseException at(String query, PositionRange position, String detail) {
        return new ParseException(locate(query, position.start()) + " parse error: " + detail, position, detail);
    }

    private static String locate(String query, int byteOffset) {
        byte[] bytes = io.gauntlet.promql.ast.GoStrings.utf8Bytes(query);
        if (byteOffset < 0 || byteOffset > bytes.length) {
            return "invalid position:";
        }
        int line = 1;
        int lastLineBreak = -1;
        for (int i = 0; i < byteOffset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lastLineBreak = i;
            }
        }
        return line + ":" + (byteOffset - lastLineBreak) + ":";
    }

    public PositionRange position() {
        return position;
    }

    /** The message without the position prefix, e.g. {@code unexpected end of input}. */
    public String detail() {
        return detail;
    }

    @Override
    public ErrorType type() {
        return ErrorType.BAD_DATA;
    }
}
