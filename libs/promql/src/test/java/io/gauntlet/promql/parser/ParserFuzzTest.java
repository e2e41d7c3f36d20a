package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated queries: each either parses (and then round-trips) or fails with a ParseException,
 * never another exception, never a hang.
 */
class ParserFuzzTest {
    private static final long SEED = 20_260_427L;
    /**
     * A guard against hangs (exponential backtracking, quadratic scans of 100,000 characters), not a speed check: a
     * loaded CI machine took more than 5 s for the longest round trips, which are linear.
     */
    private static final Duration PER_QUERY = Duration.ofSeconds(60);
    private static final String[] PIECES = {
        "(", ")", "[", "]", "{", "}", ",", ":", "=", "==", "!=", "=~", "!~", "+", "-", "*", "/", "^", "%", "@", "#",
        ">", "<", ">=", "<=", "sum", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "and", "or", "unless", "atan2", "start()", "end()", "start", "end", "5m", "1h30m", "0s", "1y", "300ms", "1",
        "0x1f", "1e3", ".5", "Inf", "NaN", "\"a\"", "'b'", "`c`", "foo", "rate", "topk", "count_values", "quantile",
        "label_replace", "histogram_quantile", "x:y", " ", "\n", "\t", "[5m:]", "[5m:1m]", "{a=\"b\"}", "[1m]",
        "__name__", "\"\\q\"", "\"\\x41\"", "\"\\u00e9\"", "é", "😀", "'", "\"", "`", "\\", "\u0000", "\u2028",
        "\uD800", "9999999999999999999999", "1e400", "-", "--", "(((", ")))", "sum(", "rate(foo[5m])"};

    @Test
    void mutatedAndRandomQueriesOnlyParseOrFailWithParseException() {
        Random random = new Random(SEED);
        List<String> seeds = new ArrayList<>();
        QueryCorpus.verdicts().forEach(v -> seeds.add(v.query()));
        Path golden = QueryCorpus.goldenDirectory();
        if (golden != null) {
            seeds.addAll(QueryCorpus.goldenQueries(golden));
        }
        Set<String> queries = new LinkedHashSet<>();
        while (queries.size() < 6000) {
            queries.add(mutate(seeds.get(random.nextInt(seeds.size())), random));
        }
        while (queries.size() < 7500) {
            queries.add(randomTokens(random));
        }
        int parsed = 0;
        for (String query : queries) {
            if (check(query)) {
                parsed++;
            }
        }
        // the mix must exercise both outcomes
        assertThat(parsed).isBetween(300, 7000);
    }

    @Test
    void hostileInputsFailFastWithParseException() {
        List<String> hostile = List.of(
                "(".repeat(100_000),
                "(".repeat(100_000) + "1" + ")".repeat(100_000),
                "-".repeat(100_000) + "1",
                "a" + "+a".repeat(100_000),
                "a" + "^a".repeat(100_000),
                "foo" + "[5m:]".repeat(20_000),
                "foo" + " offset 5m".repeat(20_000),
                "abs(".repeat(50_000) + "foo" + ")".repeat(50_000),
                "sum(".repeat(50_000) + "foo" + ")".repeat(50_000),
                "sum by (" + "a,".repeat(100_000) + ") (foo)",
                "foo{" + "a=\"b\",".repeat(50_000) + "}",
                "{a=\"" + "x".repeat(1_000_000) + "\"}",
                "\"" + "\\".repeat(100_001),
                "#".repeat(100_000),
                " ".repeat(1_000_000),
                "foo{a=~\"" + "(".repeat(10_000) + "\"}",
                "9".repeat(100_000),
                "1" + "0".repeat(400) + "e-400",
                "foo[" + "9".repeat(100) + "y]",
                "foo @ " + "9".repeat(400));
        int accepted = 0;
        for (String query : hostile) {
            if (check(query)) {
                accepted++;
            }
        }
        assertThat(accepted).isGreaterThanOrEqualTo(3);
    }

    /** True when the query parsed (and round-tripped), false when it failed with a ParseException. */
    private static boolean check(String query) {
        return assertTimeoutPreemptively(PER_QUERY, () -> {
            try {
                PromqlParser.parseExpr(query);
            } catch (ParseException e) {
                assertThat(e.getMessage()).as(describe(query)).contains("parse error: ");
                return false;
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("unexpected " + e + " for " + describe(query), e);
            }
            String problem = RoundTripTest.roundTripProblem(query);
            assertThat(problem).as(describe(query)).isNull();
            return true;
        }, () -> "too slow: " + describe(query));
    }

    private static String describe(String query) {
        return query.length() > 200 ? query.substring(0, 200) + "... (" + query.length() + " chars)" : query;
    }

    static String mutate(String seed, Random random) {
        String query = seed;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            if (query.isEmpty()) {
                query = PIECES[random.nextInt(PIECES.length)];
                continue;
            }
            int at = random.nextInt(query.length() + 1);
            int end = Math.min(query.length(), at + 1 + random.nextInt(6));
            switch (random.nextInt(5)) {
                case 0 -> query = query.substring(0, at) + query.substring(end); // delete
                case 1 -> query = query.substring(0, at) + PIECES[random.nextInt(PIECES.length)] + query.substring(at);
                case 2 -> query = query.substring(0, end) + query.substring(at, end) + query.substring(end); // duplicate
                case 3 -> { // move a span
                    String span = query.substring(at, end);
                    String rest = query.substring(0, at) + query.substring(end);
                    int to = random.nextInt(rest.length() + 1);
                    query = rest.substring(0, to) + span + rest.substring(to);
                }
                default -> { // replace one character by an arbitrary one
                    if (at < query.length()) {
                        char c = (char) random.nextInt(0x3000);
                        query = query.substring(0, at) + c + query.substring(at + 1);
                    }
                }
            }
        }
        return query;
    }

    static String randomTokens(Random random) {
        StringBuilder query = new StringBuilder();
        int count = 1 + random.nextInt(12);
        for (int i = 0; i < count; i++) {
            query.append(PIECES[random.nextInt(PIECES.length)]);
            if (random.nextBoolean()) {
                query.append(' ');
            }
        }
        return query.toString();
    }
}
