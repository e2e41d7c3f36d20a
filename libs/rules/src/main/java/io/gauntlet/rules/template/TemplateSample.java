package io.gauntlet.rules.template;

/** One element of a {@code query} result as templates see it ({@code .Labels}, {@code .Value}). */
public record TemplateSample(GoStringMap labels, double value) implements GoValue {
    @Override
    public String goString() {
        return "{" + labels.goString() + " " + GoFmt.formatFloat(value, 'g', -1) + "}";
    }

    @Override
    public String goType() {
        return "*template.sample";
    }

    @Override
    public Object field(String name) {
        return switch (name) {
            case "Labels" -> labels;
            case "Value" -> value;
            default -> GoValue.super.field(name);
        };
    }
}
