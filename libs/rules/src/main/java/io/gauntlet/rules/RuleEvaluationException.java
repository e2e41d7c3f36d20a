package io.gauntlet.rules;

/** A rule evaluation that failed for a reason of the rule's own (duplicate output series, limit exceeded). */
public final class RuleEvaluationException extends Exception {
    public RuleEvaluationException(String message) {
        super(message);
    }
}
