package io.gauntlet.rules.template;

import java.util.List;

/** What {@code query} returns: Prometheus' {@code queryResult}, a slice of samples. */
public record TemplateQueryResult(List<TemplateSample> samples) implements GoValue {
    public TemplateQueryResult {
        samples = List.copyOf(samples);
    }

    @Override
    public String goString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < samples.size(); i++) {
            out.append(i == 0 ? "" : " ").append('&').append(samples.get(i).goString());
        }
        return out.append(']').toString();
    }

    @Override
    public String goType() {
        return "template.queryResult";
    }
}
