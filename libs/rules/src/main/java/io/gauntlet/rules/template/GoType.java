package io.gauntlet.rules.template;

/** The Go parameter types of template functions, with the names Go's errors print. */
public enum GoType {
    STRING("string"), FLOAT64("float64"), INT("int"), BOOL("bool"), ANY("interface {}"), SAMPLE("*template.sample"),
    QUERY_RESULT("template.queryResult");

    private final String goName;

    GoType(String goName) {
        this.goName = goName;
    }

    public String goName() {
        return goName;
    }

    /** Whether Go's nil (an invalid value) may stand for this type. */
    boolean canBeNil() {
        return this == ANY || this == SAMPLE || this == QUERY_RESULT;
    }

    boolean accepts(Object value) {
        return switch (this) {
            case STRING -> value instanceof String;
            case FLOAT64 -> value instanceof Double;
            case INT -> value instanceof Long;
            case BOOL -> value instanceof Boolean;
            case ANY -> true;
            case SAMPLE -> value instanceof TemplateSample;
            case QUERY_RESULT -> value instanceof TemplateQueryResult;
        };
    }
}
