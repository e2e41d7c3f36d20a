package io.gauntlet.promql.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random, well-typed PromQL over the differential test's metrics: nested functions, aggregations, binary operations
 * with every matching mode, offsets, @ and subqueries. Seeded, so a failure names a reproducible query.
 */
final class RandomQueries {
    // no "big": its ±1e15 values cancel, and Prometheus sums range-query inputs in Go map order
    private static final String[] SELECTORS = {"http_requests_total", "http_requests_total{job=\"api\"}",
        "http_requests_total{method=~\"g.*\"}", "temperature", "temperature{room!=\"c\"}", "jitter",
        "request_duration_seconds_bucket", "{__name__=~\"temperature|jitter\"}"};
    private static final String[] LABELS = {"job", "instance", "method", "room", "le", "i"};
    private static final String[] RANGE_FUNCTIONS = {"rate", "increase", "delta", "irate", "idelta", "deriv", "changes",
        "resets", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
        "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time", "absent_over_time"};
    // no floor/ceil/round: Prometheus sums range-query inputs in Go map order, so the last bit of an aggregate
    // varies between its own runs, and rounding would turn that into a visible difference; no exp: Go's assembly
    // exp and Java's differ in the last bit, which % of a huge value turns into a different remainder
    private static final String[] VECTOR_FUNCTIONS = {"abs", "sqrt", "ln", "sgn", "timestamp", "sort",
        "sort_desc", "deg", "absent", "log2", "hour", "minute"};
    private static final String[] AGGREGATIONS = {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"};
    private static final String[] ARITHMETIC = {"+", "-", "*", "/", "%", "^", "atan2"};
    private static final String[] COMPARISONS = {"==", "!=", ">", "<", ">=", "<="};
    private static final String[] RANGES = {"30s", "1m", "2m30s", "5m", "11m"};
    private static final String[] OFFSETS = {"", "", "", " offset 1m", " offset 5m", " offset -2m", " offset 37s"};

    private final Random random;
    private final long atSeconds;

    RandomQueries(long seed, long atSeconds) {
        this.random = new Random(seed);
        this.atSeconds = atSeconds;
    }

    List<String> generate(int count) {
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            queries.add(random.nextInt(8) == 0 ? scalar(2) : vector(3));
        }
        return queries;
    }

    private String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private String at() {
        return switch (random.nextInt(12)) {
            case 0 -> " @ " + atSeconds;
            case 1 -> " @ start()";
            case 2 -> " @ end()";
            default -> "";
        };
    }

    private String grouping() {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> " by (" + pick(LABELS) + ")";
            case 2 -> " without (" + pick(LABELS) + ")";
            default -> " by (" + pick(LABELS) + ", " + pick(LABELS) + ")";
        };
    }

    private String matching() {
        return switch (random.nextInt(6)) {
            case 0 -> " on(" + pick(LABELS) + ")";
            case 1 -> " ignoring(" + pick(LABELS) + ")";
            case 2 -> " on(" + pick(LABELS) + ") group_left()";
            case 3 -> " ignoring(" + pick(LABELS) + ") group_right(" + pick(LABELS) + ")";
            default -> "";
        };
    }

    private String range() {
        String selector = pick(SELECTORS);
        if (random.nextInt(5) == 0) {
            // a subquery instead of a range selector
            String step = random.nextBoolean() ? "" : pick(new String[] {"15s", "30s", "1m"});
            return "(" + vector(1) + ")[" + pick(RANGES) + ":" + step + "]" + pick(OFFSETS) + at();
        }
        return selector + "[" + pick(RANGES) + "]" + pick(OFFSETS) + at();
    }

    String scalar(int depth) {
        return switch (depth <= 0 ? random.nextInt(2) : random.nextInt(5)) {
            case 0 -> String.valueOf(random.nextInt(20) - 5);
            // time() itself is ~1.7e9: added to vectors it makes variances cancel catastrophically, and then the
            // Go map order in which Prometheus aggregates range-query inputs shows in the 9th digit
            case 1 -> "(time() % 1000)";
            case 2 -> "scalar(" + vector(depth - 1) + ")";
            case 3 -> "(" + scalar(depth - 1) + " " + pick(ARITHMETIC) + " " + scalar(depth - 1) + ")";
            default -> "(" + scalar(depth - 1) + " " + pick(COMPARISONS) + " bool " + scalar(depth - 1) + ")";
        };
    }

    String vector(int depth) {
        if (depth <= 0) {
            return pick(SELECTORS) + pick(OFFSETS) + at();
        }
        return switch (random.nextInt(11)) {
            case 0 -> pick(SELECTORS) + pick(OFFSETS) + at();
            case 1, 2 -> pick(RANGE_FUNCTIONS) + "(" + range() + ")";
            case 3 -> pick(VECTOR_FUNCTIONS) + "(" + vector(depth - 1) + ")";
            case 4, 5 -> pick(AGGREGATIONS) + grouping() + " (" + vector(depth - 1) + ")";
            // no topk/bottomk here: among equal values Prometheus keeps whichever its map iteration met first
            case 6 -> "quantile" + grouping() + " (0." + random.nextInt(10) + ", " + vector(depth - 1) + ")";
            case 7 -> "(" + vector(depth - 1) + " " + pick(ARITHMETIC) + matching() + " " + vector(depth - 1) + ")";
            case 8 -> "(" + vector(depth - 1) + " " + pick(COMPARISONS) + (random.nextBoolean() ? " bool" : "")
                    + matching() + " " + vector(depth - 1) + ")";
            case 9 -> "(" + vector(depth - 1) + " " + pick(new String[] {"and", "or", "unless"})
                    + (random.nextBoolean() ? " on(" + pick(LABELS) + ")" : "") + " " + vector(depth - 1) + ")";
            default -> random.nextBoolean() ? "(" + vector(depth - 1) + " " + pick(ARITHMETIC) + " " + scalar(depth - 1) + ")"
                    : "(" + scalar(depth - 1) + " " + pick(COMPARISONS) + " " + vector(depth - 1) + ")";
        };
    }
}
