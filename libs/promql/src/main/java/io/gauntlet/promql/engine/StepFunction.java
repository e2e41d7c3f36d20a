package io.gauntlet.promql.engine;

/** The work of one operator at one step: reads the argument vectors, appends its result to {@code out}. */
@FunctionalInterface
interface StepFunction {
    void apply(StepVector[] arguments, long timestamp, StepVector out);
}
