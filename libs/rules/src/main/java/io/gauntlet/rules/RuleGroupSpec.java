package io.gauntlet.rules;

import java.util.List;

/**
 * A rule group as written in a rule file.
 *
 * @param intervalMillis          0: the ruler's default evaluation interval
 * @param limit                   0: no limit on series (recording) or alerts (alerting) per rule
 * @param partialResponseStrategy Thanos' {@code partial_response_strategy} ("warn" or "abort"), null when absent
 */
public record RuleGroupSpec(String name, String file, long intervalMillis, int limit, String partialResponseStrategy,
        List<RuleSpec> rules) {
    public RuleGroupSpec {
        rules = List.copyOf(rules);
    }
}
