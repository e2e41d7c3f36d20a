package io.gauntlet.promql.parser;

/** Token kinds of the PromQL lexer, grouped as Prometheus groups them (they decide how errors describe a token). */
enum TokenType {
    EOF(Kind.SPECIAL, "end of input"),
    COMMENT(Kind.SPECIAL, "comment"),
    IDENTIFIER(Kind.VALUE, "identifier"),
    METRIC_IDENTIFIER(Kind.VALUE, "metric identifier"),
    STRING(Kind.VALUE, "string"),
    NUMBER(Kind.VALUE, "number"),
    DURATION(Kind.VALUE, "duration"),

    LEFT_PAREN(Kind.PUNCTUATION, null), RIGHT_PAREN(Kind.PUNCTUATION, null),
    LEFT_BRACE(Kind.PUNCTUATION, null), RIGHT_BRACE(Kind.PUNCTUATION, null),
    LEFT_BRACKET(Kind.PUNCTUATION, null), RIGHT_BRACKET(Kind.PUNCTUATION, null),
    COMMA(Kind.PUNCTUATION, null), EQL(Kind.PUNCTUATION, null), COLON(Kind.PUNCTUATION, null),

    ADD(Kind.OPERATOR, null), SUB(Kind.OPERATOR, null), MUL(Kind.OPERATOR, null), DIV(Kind.OPERATOR, null),
    MOD(Kind.OPERATOR, null), POW(Kind.OPERATOR, null), ATAN2(Kind.OPERATOR, null),
    EQLC(Kind.OPERATOR, null), NEQ(Kind.OPERATOR, null), GTR(Kind.OPERATOR, null), LSS(Kind.OPERATOR, null),
    GTE(Kind.OPERATOR, null), LTE(Kind.OPERATOR, null), EQL_REGEX(Kind.OPERATOR, null),
    NEQ_REGEX(Kind.OPERATOR, null), LAND(Kind.OPERATOR, null), LOR(Kind.OPERATOR, null),
    LUNLESS(Kind.OPERATOR, null),
    /** Prometheus 2.42 has no display string for '@', so its errors show the raw item number. */
    AT(Kind.OPERATOR, null),

    AVG(Kind.AGGREGATOR, null), BOTTOMK(Kind.AGGREGATOR, null), COUNT(Kind.AGGREGATOR, null),
    COUNT_VALUES(Kind.AGGREGATOR, null), GROUP(Kind.AGGREGATOR, null), MAX(Kind.AGGREGATOR, null),
    MIN(Kind.AGGREGATOR, null), QUANTILE(Kind.AGGREGATOR, null), STDDEV(Kind.AGGREGATOR, null),
    STDVAR(Kind.AGGREGATOR, null), SUM(Kind.AGGREGATOR, null), TOPK(Kind.AGGREGATOR, null),

    BOOL(Kind.KEYWORD, null), BY(Kind.KEYWORD, null), GROUP_LEFT(Kind.KEYWORD, null),
    GROUP_RIGHT(Kind.KEYWORD, null), IGNORING(Kind.KEYWORD, null), OFFSET(Kind.KEYWORD, null),
    ON(Kind.KEYWORD, null), WITHOUT(Kind.KEYWORD, null),

    START(Kind.PREPROCESSOR, null), END(Kind.PREPROCESSOR, null);

    enum Kind { SPECIAL, VALUE, PUNCTUATION, OPERATOR, AGGREGATOR, KEYWORD, PREPROCESSOR }

    final Kind kind;
    /** For value tokens: the word errors put before the token text, e.g. {@code identifier "foo"}. */
    final String description;

    TokenType(Kind kind, String description) {
        this.kind = kind;
        this.description = description;
    }

    /** Words the lexer turns into keyword tokens (case-insensitive); "inf" and "nan" become numbers. */
    static TokenType keyword(String lowerCaseWord) {
        return switch (lowerCaseWord) {
            case "and" -> LAND;
            case "or" -> LOR;
            case "unless" -> LUNLESS;
            case "atan2" -> ATAN2;
            case "sum" -> SUM;
            case "avg" -> AVG;
            case "count" -> COUNT;
            case "min" -> MIN;
            case "max" -> MAX;
            case "group" -> GROUP;
            case "stddev" -> STDDEV;
            case "stdvar" -> STDVAR;
            case "topk" -> TOPK;
            case "bottomk" -> BOTTOMK;
            case "count_values" -> COUNT_VALUES;
            case "quantile" -> QUANTILE;
            case "offset" -> OFFSET;
            case "by" -> BY;
            case "without" -> WITHOUT;
            case "on" -> ON;
            case "ignoring" -> IGNORING;
            case "group_left" -> GROUP_LEFT;
            case "group_right" -> GROUP_RIGHT;
            case "bool" -> BOOL;
            case "start" -> START;
            case "end" -> END;
            case "inf", "nan" -> NUMBER;
            default -> null;
        };
    }
}
