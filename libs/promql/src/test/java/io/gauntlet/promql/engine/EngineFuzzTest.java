package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.promql.parser.SeriesDescription;
import io.gauntlet.promql.parser.SeriesValue;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Seeded random, generated and mutated queries executed as instant and range queries over small in-memory data: each
 * returns a result or fails with a {@link PromqlException} that is not {@code internal} (the engine wraps unexpected
 * runtime exceptions as internal errors, so those count as bugs), never another exception and never a hang.
 */
class EngineFuzzTest {
    private static final long SEED = 20_261_127L;
    private static final Duration PER_QUERY = Duration.ofSeconds(20); // a hang, not a slow query on a loaded machine
    // a short engine timeout and a small sample budget, so pathological subqueries end far inside PER_QUERY
    private static final PromqlEngine ENGINE = new PromqlEngine(EngineOptions.defaults()
            .withTimeout(Duration.ofSeconds(2)).withMaxSamples(2_000_000));
    private static final int MAX_RANGE_STEPS = 60;
    private static final Pattern LOAD = Pattern.compile("^load\\s+(\\S+)\\s*$");
    private static final Pattern EVAL = Pattern.compile("^eval(?:_fail|_ordered)?\\s+instant\\s+(?:at\\s+(\\S+)\\s+)?(.+)$");

    private static final String[] PIECES = {
        "(", ")", "[", "]", "{", "}", ",", ":", "=", "==", "!=", "=~", "!~", "+", "-", "*", "/", "^", "%", "@",
        ">", "<", ">=", "<=", "sum", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "and", "or", "unless", "atan2", "start()", "end()", "5m", "0s", "1ms", "1y", "1", "-1", "0", "1e308", "Inf",
        "-Inf", "NaN", "\"a\"", "\"\"", "foo", "rate", "topk", "count_values", "quantile", "label_replace",
        "histogram_quantile", "[5m:]", "[5m:1ms]", "[1y:1s]", "{a=\"b\"}", "[1m]", "__name__", "le", "job",
        "9999999999999999999999", " @ 1e15", " offset -1y", "scalar(", "vector(", "time()", "absent(", "sort("};

    private static final String[] SELECTORS = {"http_requests_total", "http_requests_total{job=\"api\"}",
        "http_requests_total{method=~\"g.*\"}", "temperature", "temperature{room!=\"c\"}", "stale_gauge",
        "request_duration_seconds_bucket", "{__name__=~\"temperature|stale_gauge\"}", "nan_gauge", "missing_metric",
        "{__name__=~\".+\"}", "{job=\"api\"}"};
    private static final String[] LABELS = {"job", "instance", "method", "room", "le", "__name__", "nope"};
    private static final String[] RANGE_FUNCTIONS = {"rate", "increase", "delta", "irate", "idelta", "deriv",
        "changes", "resets", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
        "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time", "absent_over_time"};
    private static final String[] VECTOR_FUNCTIONS = {"abs", "ceil", "floor", "round", "exp", "sqrt", "ln", "log2",
        "log10", "sgn", "timestamp", "sort", "sort_desc", "deg", "rad", "absent", "hour", "minute", "month", "year",
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "sin", "cos", "tan", "asin", "acos", "atan",
        "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "histogram_count", "histogram_sum"};
    private static final String[] AGGREGATIONS = {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"};
    private static final String[] BINARY = {"+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<=",
        "and", "or", "unless"};
    private static final String[] NUMBERS = {"0", "1", "-1", "0.5", "2", "1e308", "-1e308", "Inf", "-Inf", "NaN",
        "0x10", "1e-320", "9223372036854775807", "100000"};
    private static final String[] DURATIONS = {"1ms", "1s", "15s", "1m", "5m", "1h", "1d", "1y", "0s"};
    private static final String[] OFFSETS = {"", "", "", " offset 1m", " offset -5m", " offset 1y", " offset 1ms"};
    private static final String[] ATS = {"", "", "", "", " @ 100", " @ start()", " @ end()", " @ -1e9", " @ 1e12",
        " @ 0.001"};

    /** One golden file's data and the queries of its eval statements. */
    private record GoldenFile(String name, InMemoryQueryable storage, List<String> queries) {
    }

    @Test
    void generatedAndMutatedQueriesReturnResultsOrPromqlErrors() {
        Random random = new Random(SEED);
        InMemoryQueryable storage = syntheticData();
        Set<String> queries = new LinkedHashSet<>();
        while (queries.size() < 2_000) {
            queries.add(random.nextInt(6) == 0 ? scalar(random, 2) : vector(random, 3));
        }
        List<String> generated = List.copyOf(queries);
        while (queries.size() < 3_000) {
            queries.add(mutate(generated.get(random.nextInt(generated.size())), random));
        }
        while (queries.size() < 3_300) {
            queries.add(randomTokens(random));
        }
        Map<Outcome, Integer> outcomes = runAll(storage, List.copyOf(queries), random, 0, 3_600_000);
        System.out.println("[EngineFuzzTest] generated: " + queries.size() + " queries, " + outcomes);
        // the mix must exercise both outcomes
        assertThat(outcomes.getOrDefault(Outcome.RESULT, 0)).isGreaterThan(2_000);
        assertThat(outcomes.getOrDefault(Outcome.PARSE_ERROR, 0)).isGreaterThan(300);
    }

    @Test
    void goldenQueriesAndTheirMutationsReturnResultsOrPromqlErrors() throws IOException {
        Path directory = goldenDirectory();
        if (directory == null) {
            System.out.println("[EngineFuzzTest] skipped the golden part: no promql-testdata-v2.42 under "
                    + "the gauntlet.shared.dir system property (" + System.getProperty("gauntlet.shared.dir") + ")");
            return;
        }
        Random random = new Random(SEED + 1);
        Map<Outcome, Integer> total = new EnumMap<>(Outcome.class);
        int count = 0;
        for (GoldenFile file : goldenFiles(directory)) {
            Set<String> queries = new LinkedHashSet<>(file.queries());
            for (String query : file.queries()) {
                for (int m = 0; m < 3; m++) {
                    queries.add(mutate(query, random));
                }
            }
            count += queries.size();
            runAll(file.storage(), List.copyOf(queries), random, 0, 1_000_000)
                    .forEach((outcome, n) -> total.merge(outcome, n, Integer::sum));
        }
        System.out.println("[EngineFuzzTest] golden: " + count + " queries, " + total);
        assertThat(count).isGreaterThan(1_500);
        assertThat(total.getOrDefault(Outcome.RESULT, 0)).isGreaterThan(500);
    }

    @Test
    void subqueriesOfBillionsOfStepsEndWithinTheTimeout() {
        // 1y at 1 ms is 3.2e10 steps: before and after the one hour of data the evaluator must not walk every step
        List<String> queries = List.of("count_over_time(http_requests_total[1y:1ms])",
                "max_over_time(rate(http_requests_total[5m])[1y:1ms])", "count_over_time((temperature > 1e9)[1y:1ms])",
                "absent_over_time(http_requests_total[1y:1ms])", "quantile_over_time(0.5, missing_metric[1y:1ms])",
                "holt_winters(stale_gauge[1y:1ms], 0.5, 0.5)", "predict_linear(nan_gauge[1y:1ms], 1)",
                "count_over_time(vector(1)[1d:1ms])", "count_over_time((http_requests_total @ 100)[1d:1ms])",
                "count_over_time(sum(temperature)[1y:1ms] offset -1y)", "http_requests_total[1y:1ms]");
        Map<Outcome, Integer> outcomes = runAll(syntheticData(), queries, new Random(SEED), 0, 3_600_000);
        assertThat(outcomes.getOrDefault(Outcome.EXECUTION_ERROR, 0)).isPositive();
    }

    private enum Outcome { RESULT, PARSE_ERROR, EXECUTION_ERROR }

    /** Runs each query as an instant query and as a range query of at most {@link #MAX_RANGE_STEPS} steps. */
    private static Map<Outcome, Integer> runAll(InMemoryQueryable storage, List<String> queries, Random random,
            long dataStart, long dataEnd) {
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (String query : queries) {
            long time = queryTime(random, dataStart, dataEnd);
            long step = switch (random.nextInt(5)) {
                case 0 -> 1_000;
                case 1 -> 7_000;
                case 2 -> 15_000;
                case 3 -> 60_000;
                default -> 300_000;
            };
            long steps = random.nextInt(MAX_RANGE_STEPS);
            outcomes.merge(check(query, () -> ENGINE.instantQuery(storage, query, time)), 1, Integer::sum);
            outcomes.merge(check(query, () -> ENGINE.rangeQuery(storage, query, time, time + steps * step, step)),
                    1, Integer::sum);
        }
        return outcomes;
    }

    private static long queryTime(Random random, long dataStart, long dataEnd) {
        return switch (random.nextInt(10)) {
            case 0 -> dataStart - 600_000;
            case 1 -> dataEnd + random.nextInt(900_000);
            case 2 -> dataStart;
            default -> dataStart + (long) (random.nextDouble() * (dataEnd - dataStart));
        };
    }

    private interface Query {
        QueryResult run();
    }

    private static Outcome check(String query, Query run) {
        return assertTimeoutPreemptively(PER_QUERY, () -> {
            try {
                QueryResult result = run.run();
                assertThat(result.value()).as(describe(query)).isNotNull();
                return Outcome.RESULT;
            } catch (PromqlException e) {
                if (e.type() == ErrorType.INTERNAL) {
                    throw new AssertionError("internal error " + e.getMessage() + " for " + describe(query), e);
                }
                assertThat(e.getMessage()).as(describe(query)).isNotBlank();
                return e instanceof io.gauntlet.promql.parser.ParseException ? Outcome.PARSE_ERROR
                        : Outcome.EXECUTION_ERROR;
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError("unexpected " + e + " for " + describe(query), e);
            }
        }, () -> "hang (> " + PER_QUERY.toSeconds() + " s): " + describe(query));
    }

    private static String describe(String query) {
        return query.length() > 300 ? query.substring(0, 300) + "... (" + query.length() + " chars)" : query;
    }

    /**
     * One hour of 15 s samples: counters with resets, gauges with gaps, staleness markers, NaN and huge values, and
     * classic histogram buckets.
     */
    private static InMemoryQueryable syntheticData() {
        InMemoryQueryable storage = new InMemoryQueryable();
        String[] methods = {"get", "post", "put"};
        for (int s = 0; s < 12; s++) {
            Labels labels = Labels.of(Labels.METRIC_NAME, "http_requests_total", "job", s % 2 == 0 ? "api" : "web",
                    "instance", "host-" + s % 4, "method", methods[s % 3]);
            double value = 0;
            for (int i = 0; i < 240; i++) {
                value = i % (50 + s) == 0 ? 0 : value + s + i % 7;
                storage.append(labels, i * 15_000L + s, value);
            }
        }
        for (int room = 0; room < 4; room++) {
            Labels labels = Labels.of(Labels.METRIC_NAME, "temperature", "room", String.valueOf((char) ('a' + room)),
                    "job", "sensors");
            for (int i = 0; i < 240; i++) {
                if (i % 60 < 30 || room == 0) { // gaps longer than the lookback
                    storage.append(labels, i * 15_000L, 20 + room - (i % 11) * 0.37);
                }
            }
        }
        Labels stale = Labels.of(Labels.METRIC_NAME, "stale_gauge", "job", "api");
        Labels nan = Labels.of(Labels.METRIC_NAME, "nan_gauge", "job", "web");
        for (int i = 0; i < 240; i++) {
            storage.append(stale, i * 15_000L, i % 20 == 19 ? SeriesValue.STALE_NAN : i * 1e15);
            storage.append(nan, i * 15_000L, switch (i % 4) {
                case 0 -> Double.NaN;
                case 1 -> Double.POSITIVE_INFINITY;
                case 2 -> -Double.MAX_VALUE;
                default -> -0.0;
            });
        }
        String[] les = {"0.1", "0.5", "1", "+Inf"};
        for (int h = 0; h < 3; h++) {
            double[] cumulative = new double[les.length];
            for (int i = 0; i < 240; i++) {
                int bucket = (i * 3 + h) % les.length;
                for (int b = bucket; b < les.length; b++) {
                    cumulative[b] += 1 + h;
                }
                for (int b = 0; b < les.length; b++) {
                    storage.append(Labels.of(Labels.METRIC_NAME, "request_duration_seconds_bucket", "job", "api",
                            "instance", "host-" + h, "le", les[b]), i * 15_000L, h == 2 && b == 1 ? 0 : cumulative[b]);
                }
            }
        }
        return storage;
    }

    private static Path goldenDirectory() {
        String shared = System.getProperty("gauntlet.shared.dir");
        if (shared == null) {
            return null;
        }
        Path directory = Path.of(shared, "promql-testdata-v2.42");
        return Files.isDirectory(directory) ? directory : null;
    }

    /**
     * Each golden file's {@code load} blocks merged into one storage (a sample that would go back in time after a
     * {@code clear} is dropped: the data only has to be plausible) and its eval expressions.
     */
    private static List<GoldenFile> goldenFiles(Path directory) throws IOException {
        List<GoldenFile> files = new ArrayList<>();
        List<Path> paths;
        try (Stream<Path> list = Files.list(directory)) {
            paths = list.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
        for (Path path : paths) {
            InMemoryQueryable storage = new InMemoryQueryable();
            List<String> queries = new ArrayList<>();
            long interval = -1;
            for (String line : Files.readAllLines(path)) {
                String stripped = line.strip();
                Matcher load = LOAD.matcher(stripped);
                Matcher eval = EVAL.matcher(stripped);
                if (load.matches()) {
                    interval = PromqlParser.parseDuration(load.group(1));
                } else if (eval.matches()) {
                    interval = -1;
                    queries.add(eval.group(2));
                } else if (stripped.isEmpty() || stripped.startsWith("#") || !Character.isWhitespace(line.charAt(0))) {
                    interval = -1;
                } else if (interval > 0) {
                    load(storage, PromqlParser.parseSeriesDescription(stripped), interval);
                }
            }
            files.add(new GoldenFile(path.getFileName().toString(), storage, queries));
        }
        return files;
    }

    private static void load(InMemoryQueryable storage, SeriesDescription series, long interval) {
        List<SeriesValue> values = series.values();
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).omitted()) {
                try {
                    storage.append(series.labels(), i * interval, values.get(i).value());
                } catch (IllegalArgumentException outOfOrder) {
                    // the same series loaded again after a clear: keep the first load
                }
            }
        }
    }

    // ---- query generation ----

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String grouping(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> " by (" + pick(random, LABELS) + ")";
            case 2 -> " without (" + pick(random, LABELS) + ")";
            case 3 -> " by ()";
            default -> " by (" + pick(random, LABELS) + ", " + pick(random, LABELS) + ")";
        };
    }

    private static String matching(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> " on(" + pick(random, LABELS) + ")";
            case 1 -> " ignoring(" + pick(random, LABELS) + ")";
            case 2 -> " on(" + pick(random, LABELS) + ") group_left()";
            case 3 -> " ignoring(" + pick(random, LABELS) + ") group_right(" + pick(random, LABELS) + ")";
            case 4 -> " on()";
            default -> "";
        };
    }

    private static String selector(Random random) {
        return pick(random, SELECTORS) + pick(random, OFFSETS) + pick(random, ATS);
    }

    private static String range(Random random) {
        if (random.nextInt(4) == 0) {
            String step = random.nextBoolean() ? "" : pick(random, DURATIONS);
            return "(" + vector(random, 1) + ")[" + pick(random, DURATIONS) + ":" + step + "]" + pick(random, OFFSETS)
                    + pick(random, ATS);
        }
        return pick(random, SELECTORS) + "[" + pick(random, DURATIONS) + "]" + pick(random, OFFSETS) + pick(random, ATS);
    }

    private static String scalar(Random random, int depth) {
        return switch (depth <= 0 ? random.nextInt(2) : random.nextInt(6)) {
            case 0 -> pick(random, NUMBERS);
            case 1 -> "time()";
            case 2 -> "scalar(" + vector(random, depth - 1) + ")";
            case 3 -> "(" + scalar(random, depth - 1) + " " + pick(random, BINARY).replaceAll("and|or|unless", "+")
                    + (random.nextBoolean() ? " bool " : " ") + scalar(random, depth - 1) + ")";
            case 4 -> "-" + scalar(random, depth - 1);
            default -> pick(random, new String[] {"pi()", "hour()", "year(vector(1e12))", "day_of_week()"});
        };
    }

    private static String vector(Random random, int depth) {
        if (depth <= 0) {
            return selector(random);
        }
        return switch (random.nextInt(16)) {
            case 0 -> selector(random);
            case 1, 2 -> pick(random, RANGE_FUNCTIONS) + "(" + range(random) + ")";
            case 3 -> pick(random, VECTOR_FUNCTIONS) + "(" + vector(random, depth - 1) + ")";
            case 4, 5 -> pick(random, AGGREGATIONS) + grouping(random) + " (" + vector(random, depth - 1) + ")";
            case 6 -> pick(random, new String[] {"topk", "bottomk", "quantile"}) + grouping(random) + " ("
                    + scalar(random, 1) + ", " + vector(random, depth - 1) + ")";
            case 7 -> "count_values" + grouping(random) + " (" + pick(random, new String[] {"\"v\"", "\"\"",
                "\"__name__\"", "\"0bad\"", "\"job\""}) + ", " + vector(random, depth - 1) + ")";
            case 8, 9 -> "(" + vector(random, depth - 1) + " " + pick(random, BINARY)
                    + (random.nextInt(3) == 0 ? " bool" : "") + matching(random) + " " + vector(random, depth - 1) + ")";
            case 10 -> "(" + vector(random, depth - 1) + " " + pick(random, BINARY).replaceAll("and|or|unless", "*")
                    + " " + scalar(random, depth - 1) + ")";
            case 11 -> "histogram_quantile(" + scalar(random, 1) + ", " + vector(random, depth - 1) + ")";
            case 12 -> pick(random, new String[] {"label_replace(" + vector(random, depth - 1)
                    + ", \"dst\", \"$1-x\", \"job\", \"(.*)\")", "label_replace(" + vector(random, depth - 1)
                    + ", \"0bad\", \"x\", \"job\", \".*\")", "label_replace(" + vector(random, depth - 1)
                    + ", \"dst\", \"x\", \"job\", \"(\")", "label_join(" + vector(random, depth - 1)
                    + ", \"dst\", \",\", \"job\", \"instance\")", "label_replace(" + vector(random, depth - 1)
                    + ", \"__name__\", \"\", \"job\", \".*\")"});
            case 13 -> pick(random, new String[] {"clamp(", "clamp_min(", "clamp_max(", "round("})
                    + vector(random, depth - 1) + ", " + scalar(random, 0) + ")";
            case 14 -> pick(random, new String[] {"holt_winters(", "predict_linear(", "quantile_over_time("})
                    + switch (random.nextInt(3)) {
                        case 0 -> range(random) + ", " + scalar(random, 0) + ", " + scalar(random, 0) + ")";
                        default -> scalar(random, 0) + ", " + range(random) + ")";
                    };
            default -> "vector(" + scalar(random, depth - 1) + ")";
        };
    }

    private static String mutate(String seed, Random random) {
        String query = seed;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            if (query.isEmpty()) {
                query = pick(random, PIECES);
                continue;
            }
            int at = random.nextInt(query.length() + 1);
            int end = Math.min(query.length(), at + 1 + random.nextInt(6));
            switch (random.nextInt(5)) {
                case 0 -> query = query.substring(0, at) + query.substring(end);
                case 1 -> query = query.substring(0, at) + pick(random, PIECES) + query.substring(at);
                case 2 -> query = query.substring(0, end) + query.substring(at, end) + query.substring(end);
                case 3 -> { // wrap the whole query in a random function or aggregation
                    query = pick(random, new String[] {"sum(", "rate(", "abs(", "topk(2, ", "scalar(", "absent(",
                        "count_values(\"x\", ", "("}) + query + ")";
                }
                default -> {
                    if (at < query.length()) {
                        query = query.substring(0, at) + (char) (' ' + random.nextInt(95)) + query.substring(at + 1);
                    }
                }
            }
        }
        return query;
    }

    private static String randomTokens(Random random) {
        StringBuilder query = new StringBuilder();
        int count = 1 + random.nextInt(12);
        for (int i = 0; i < count; i++) {
            query.append(pick(random, PIECES));
            if (random.nextBoolean()) {
                query.append(' ');
            }
        }
        return query.toString();
    }
}
