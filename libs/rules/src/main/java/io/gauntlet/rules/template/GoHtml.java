package io.gauntlet.rules.template;

/** Go's {@code html/template.HTML}: a string that prints as itself (what {@code safeHtml} returns). */
public record GoHtml(String text) implements GoValue {
    @Override
    public String goString() {
        return text;
    }

    @Override
    public String goType() {
        return "template.HTML";
    }
}
