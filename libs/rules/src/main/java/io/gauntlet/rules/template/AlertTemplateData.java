package io.gauntlet.rules.template;

/** The dot of an alert template (Prometheus' AlertTemplateData): {@code .Labels .ExternalLabels .ExternalURL .Value}. */
public record AlertTemplateData(GoStringMap labels, GoStringMap externalLabels, String externalURL, double value) implements GoValue {
    @Override
    public String goString() {
        return "{" + labels.goString() + " " + externalLabels.goString() + " " + externalURL + " " + GoFmt.formatFloat(value, 'g', -1) + "}";
    }

    @Override
    public String goType() {
        return "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }";
    }

    @Override
    public Object field(String name) {
        return switch (name) {
            case "Labels" -> labels;
            case "ExternalLabels" -> externalLabels;
            case "ExternalURL" -> externalURL;
            case "Value" -> value;
            default -> GoValue.super.field(name);
        };
    }
}
