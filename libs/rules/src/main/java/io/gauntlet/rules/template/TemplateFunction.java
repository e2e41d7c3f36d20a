package io.gauntlet.rules.template;

import java.util.List;

/** A function callable from a template; a thrown exception becomes Go's {@code error calling NAME: …}. */
@FunctionalInterface
public interface TemplateFunction {
    Object call(List<Object> args) throws Exception;
}
