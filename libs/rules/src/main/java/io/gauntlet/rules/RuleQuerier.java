package io.gauntlet.rules;

import java.util.List;

/**
 * Runs a rule's PromQL at one time: through queriers over HTTP, or an engine over StoreAPI endpoints or local data.
 * A scalar result is a vector of one sample with no labels; a string result is an error.
 */
@FunctionalInterface
public interface RuleQuerier {
    /** The result and the warnings of a partial response. */
    record Answer(List<VectorSample> samples, List<String> warnings) {
        public Answer {
            samples = List.copyOf(samples);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * @param partialResponse whether failing stores may be skipped (Thanos' {@code partial_response_strategy: warn})
     * @throws Exception with the message the rule's lastError shows
     */
    Answer query(String expr, long timeMillis, boolean partialResponse) throws Exception;
}
