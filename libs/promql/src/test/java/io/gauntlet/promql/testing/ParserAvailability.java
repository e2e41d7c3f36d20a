package io.gauntlet.promql.testing;

import io.gauntlet.promql.parser.PromqlParser;
import org.junit.jupiter.api.Assumptions;

/** Skips text-driven engine tests while the parser is still a stub (the parser and engine are built in parallel). */
final class ParserAvailability {
    private ParserAvailability() {
    }

    static void require() {
        try {
            PromqlParser.parseExpr("up");
            PromqlParser.parseSeriesDescription("up 1");
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the PromQL parser is not written yet: " + e.getMessage());
        }
    }
}
