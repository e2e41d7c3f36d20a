package io.gauntlet.promql.ast;

/** The type an expression evaluates to. */
public enum ValueType {
    NONE("none"),
    SCALAR("scalar"),
    VECTOR("instant vector"),
    MATRIX("range vector"),
    STRING("string");

    private final String documentedName;

    ValueType(String documentedName) {
        this.documentedName = documentedName;
    }

    /** The name used in Prometheus error messages and docs, e.g. "instant vector". */
    public String documentedName() {
        return documentedName;
    }
}
