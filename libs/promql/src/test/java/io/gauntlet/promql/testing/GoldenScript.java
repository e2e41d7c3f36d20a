package io.gauntlet.promql.testing;

import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.promql.parser.SeriesDescription;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test language of Prometheus 2.42's promql/test.go: {@code load <interval>} blocks of series descriptions,
 * {@code clear}, and {@code eval[_ordered|_fail] instant at <duration> <expr>} followed by expected samples (or a
 * scalar). Blocks end at an empty line; lines starting with {@code #} are comments.
 */
final class GoldenScript {
    private static final Pattern LOAD = Pattern.compile("^load\\s+(.+?)$");
    private static final Pattern EVAL = Pattern.compile("^eval(?:_(fail|ordered))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");

    sealed interface Command permits Load, Clear, Eval {
        int line();
    }

    record Load(int line, long intervalMillis, List<SeriesDescription> series) implements Command {
    }

    record Clear(int line) implements Command {
    }

    /** One expected sample; a scalar expectation has null labels. */
    record Expected(Labels labels, double value) {
    }

    record Eval(int line, String expression, long timeMillis, boolean ordered, boolean fail, boolean scalar,
            List<Expected> expected) implements Command {
    }

    static final class ScriptException extends RuntimeException {
        ScriptException(String file, int line, String message) {
            super(file + ":" + line + ": " + message);
        }
    }

    private GoldenScript() {
    }

    static List<Command> parse(String file, String content) {
        String[] raw = content.split("\n", -1);
        String[] lines = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            String trimmed = raw[i].strip();
            lines[i] = trimmed.startsWith("#") ? "" : trimmed;
        }
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            String keyword = line.split("[\t ]+", 2)[0].toLowerCase(java.util.Locale.ROOT);
            switch (keyword) {
                case "clear" -> commands.add(new Clear(i + 1));
                case "load" -> {
                    Matcher matcher = LOAD.matcher(line);
                    if (!matcher.matches()) {
                        throw new ScriptException(file, i + 1, "invalid load command: " + line);
                    }
                    long interval = parseDuration(matcher.group(1));
                    List<SeriesDescription> series = new ArrayList<>();
                    int start = i;
                    while (i + 1 < lines.length && !lines[i + 1].isEmpty()) {
                        i++;
                        series.add(PromqlParser.parseSeriesDescription(lines[i]));
                    }
                    commands.add(new Load(start + 1, interval, series));
                }
                case "eval", "eval_fail", "eval_ordered" -> {
                    Matcher matcher = EVAL.matcher(line);
                    if (!matcher.matches()) {
                        throw new ScriptException(file, i + 1, "invalid evaluation command: " + line);
                    }
                    String modifier = matcher.group(1);
                    long time = matcher.group(2) == null ? 0 : parseDuration(matcher.group(2));
                    String expression = matcher.group(3);
                    int start = i;
                    List<Expected> expected = new ArrayList<>();
                    boolean scalar = false;
                    while (i + 1 < lines.length && !lines[i + 1].isEmpty()) {
                        i++;
                        Double number = parseNumber(lines[i]);
                        if (number != null) {
                            expected.add(new Expected(null, number));
                            scalar = true;
                            break;
                        }
                        SeriesDescription description = PromqlParser.parseSeriesDescription(lines[i]);
                        if (description.values().size() != 1) {
                            throw new ScriptException(file, i + 1, "expecting exactly one value in instant evaluation");
                        }
                        expected.add(new Expected(description.labels(), description.values().get(0).value()));
                    }
                    commands.add(new Eval(start + 1, expression, time, "ordered".equals(modifier),
                            "fail".equals(modifier), scalar, expected));
                }
                default -> throw new ScriptException(file, i + 1, "unknown command: " + line);
            }
        }
        return commands;
    }

    /** test.go's parseNumber: an integer in any Go base, else a Go float; null when neither. */
    static Double parseNumber(String text) {
        String s = text.strip();
        try {
            if (s.matches("[+-]?0[xX][0-9a-fA-F]+")) {
                boolean negative = s.startsWith("-");
                String digits = s.replaceFirst("^[+-]?0[xX]", "");
                return (negative ? -1.0 : 1.0) * Long.parseLong(digits, 16);
            }
            if (s.matches("[+-]?[0-9]+")) {
                return (double) Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            }
        } catch (NumberFormatException e) {
            // too large for int64: Go falls back to ParseFloat as well
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
            }
        }
        if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            return null;
        }
        return Double.parseDouble(s);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|y|w|d|h|m|s)");

    /** Prometheus' model.ParseDuration: {@code 1h30m}, {@code 5m}, {@code 10s}, {@code 1ms}, {@code 0}. */
    static long parseDuration(String text) {
        if (text.equals("0")) {
            return 0;
        }
        Matcher matcher = DURATION.matcher(text);
        long total = 0;
        int position = 0;
        while (matcher.find()) {
            if (matcher.start() != position) {
                throw new IllegalArgumentException("not a valid duration string: " + text);
            }
            long amount = Long.parseLong(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "y" -> 365L * 24 * 3600 * 1000;
                case "w" -> 7L * 24 * 3600 * 1000;
                case "d" -> 24L * 3600 * 1000;
                case "h" -> 3600L * 1000;
                case "m" -> 60L * 1000;
                case "s" -> 1000L;
                default -> 1L;
            };
            total += amount * unit;
            position = matcher.end();
        }
        if (position != text.length() || position == 0) {
            throw new IllegalArgumentException("not a valid duration string: " + text);
        }
        return total;
    }
}
