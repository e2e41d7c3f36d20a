package io.gauntlet.tools.cli;

import io.gauntlet.promql.parser.PromqlParser;
import java.time.Duration;

/** Duration flags in Prometheus' form ({@code 48h}, {@code 30d}, {@code 1y}, {@code 0d}), as Thanos' model.Duration flags. */
final class FlagDurations {
    private FlagDurations() {
    }

    static Duration parse(String flag, String text) {
        try {
            return Duration.ofMillis(PromqlParser.parseDuration(text));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + text + " is not a duration such as 48h or 30d: " + e.getMessage());
        }
    }
}
