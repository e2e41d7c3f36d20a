package io.gauntlet.rules.template;

/** A template that does not parse or fails while executing, with Go's message ({@code template: name:line: …}). */
public final class TemplateException extends Exception {
    public TemplateException(String message) {
        super(message);
    }
}
