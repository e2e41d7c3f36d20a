package io.gauntlet.rules.template;

import java.util.List;

/**
 * A template function: its Go parameter types ({@code variadic}: the last one repeats) and its body.
 *
 * @param name     what templates call it
 * @param params   parameter types in order
 * @param variadic whether the last parameter takes any number of arguments
 * @param body     the function
 */
public record FunctionSpec(String name, List<GoType> params, boolean variadic, TemplateFunction body) {
    public FunctionSpec {
        params = List.copyOf(params);
    }

    public static FunctionSpec of(String name, TemplateFunction body, GoType... params) {
        return new FunctionSpec(name, List.of(params), false, body);
    }

    public static FunctionSpec variadic(String name, TemplateFunction body, GoType... params) {
        return new FunctionSpec(name, List.of(params), true, body);
    }
}
