package io.gauntlet.promql.parser;

import io.gauntlet.promql.ast.GoStrings;
import java.nio.charset.StandardCharsets;

/** A lexed token: its kind, UTF-8 byte range in the query and its text (strings keep their quotes). */
record Token(TokenType type, int start, int end, String text) {

    /** How Prometheus 2.42 names the token in "unexpected ..." errors. */
    String describe() {
        return switch (type.kind) {
            case SPECIAL -> type == TokenType.EOF ? "end of input" : type.description + " " + display();
            case VALUE -> type.description + " " + display();
            case OPERATOR -> type == TokenType.AT ? "\"<Item 57385>\" <op:@>" : display();
            default -> display();
        };
    }

    /** Prometheus' Item.String(). */
    private String display() {
        return switch (type.kind) {
            case KEYWORD -> "<" + text + ">";
            case OPERATOR -> "<op:" + text + ">";
            case AGGREGATOR -> "<aggr:" + text + ">";
            default -> {
                if (type != TokenType.IDENTIFIER && type != TokenType.METRIC_IDENTIFIER
                        && text.getBytes(StandardCharsets.UTF_8).length > 10) {
                    int runes = Math.min(10, text.codePointCount(0, text.length()));
                    yield GoStrings.quote(text.substring(0, text.offsetByCodePoints(0, runes))) + "...";
                }
                yield GoStrings.quote(text);
            }
        };
    }
}
