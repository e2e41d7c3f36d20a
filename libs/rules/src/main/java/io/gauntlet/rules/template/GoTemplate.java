package io.gauntlet.rules.template;

import io.gauntlet.rules.template.TemplateNodes.ListNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A parsed Go text/template with its function map ({@code missingkey=zero}, as Prometheus sets it). */
public final class GoTemplate {
    private final String name;
    private final String text;
    private final Map<String, ListNode> templates;
    private final Map<String, FunctionSpec> functions;

    private GoTemplate(String name, String text, Map<String, ListNode> templates, Map<String, FunctionSpec> functions) {
        this.name = name;
        this.text = text;
        this.templates = templates;
        this.functions = functions;
    }

    /** @throws TemplateException with Go's parse error, e.g. {@code template: x:1: function "foo" not defined} */
    public static GoTemplate parse(String name, String text, Map<String, FunctionSpec> functions) throws TemplateException {
        Set<String> names = new HashSet<>(functions.keySet());
        names.addAll(TemplateExecutor.Builtins.NAMES);
        names.add("and");
        names.add("or");
        return new GoTemplate(name, text, TemplateParser.parse(name, text, names), Map.copyOf(functions));
    }

    /** @throws TemplateException with Go's execution error ({@code template: x:1:5: executing "x" at <…>: …}) */
    public String execute(Object data) throws TemplateException {
        try {
            return new TemplateExecutor(name, text, templates, functions).execute(data);
        } catch (TemplateExecutor.Failure e) {
            throw new TemplateException(e.getMessage());
        } catch (StackOverflowError e) {
            throw new TemplateException("template: " + name + ": exceeded maximum template depth");
        }
    }
}
