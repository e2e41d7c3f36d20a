package io.gauntlet.promql.ast;

/** Binary operators with Prometheus' precedence (higher binds tighter). */
public enum BinaryOperator {
    ADD("+", 4), SUB("-", 4),
    MUL("*", 5), DIV("/", 5), MOD("%", 5), ATAN2("atan2", 5),
    POW("^", 6),
    EQL("==", 3), NEQ("!=", 3), GTR(">", 3), LSS("<", 3), GTE(">=", 3), LTE("<=", 3),
    AND("and", 2), UNLESS("unless", 2),
    OR("or", 1);

    private final String symbol;
    private final int precedence;

    BinaryOperator(String symbol, int precedence) {
        this.symbol = symbol;
        this.precedence = precedence;
    }

    public String symbol() {
        return symbol;
    }

    public boolean isComparison() {
        return precedence == 3;
    }

    public boolean isSetOperator() {
        return this == AND || this == OR || this == UNLESS;
    }

    /** 1 (or) to 6 (^). */
    public int precedence() {
        return precedence;
    }

    /** Only {@code ^} associates to the right. */
    public boolean rightAssociative() {
        return this == POW;
    }
}
