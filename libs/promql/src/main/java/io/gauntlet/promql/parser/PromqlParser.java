package io.gauntlet.promql.parser;

import io.gauntlet.promql.DeepExpressions;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entry points of the PromQL parser (Prometheus 2.42 grammar). Every method throws {@link ParseException} for bad
 * input, with Prometheus' message text ({@code 1:9: parse error: unexpected end of input}).
 */
public final class PromqlParser {
    private static final String NUMBER = "(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN]";
    /** One item of a series line: value, optional increment, optional repetition ({@code 1+2x10}, {@code 5x3}). */
    private static final Pattern SERIES_ITEM = Pattern.compile(
            "([+-]?(?:" + NUMBER + ")|stale)(?:([+-])(" + NUMBER + "))?(?:x([0-9]+))?");
    private static final Pattern BLANK_ITEM = Pattern.compile("_(?:x([0-9]+))?");

    private PromqlParser() {
    }

    /**
     * A PromQL expression, parsed and type-checked; deeper than {@link #maxDepth()} levels is rejected. Deep queries
     * are parsed and checked on a thread whose stack fits them ({@link DeepExpressions}).
     */
    public static Expr parseExpr(String query) {
        try {
            if (parserRecursionBound(query) > DeepExpressions.INLINE_DEPTH) {
                return DeepExpressions.onDeepStack(() -> parseAndCheck(query));
            }
            Parser parser = new Parser(query);
            Expr expr = parser.parseQuery();
            TypeChecker checker = new TypeChecker(query, parser.lexer().input());
            if (DeepExpressions.depth(expr) > DeepExpressions.INLINE_DEPTH) {
                return DeepExpressions.onDeepStack(() -> checker.check(expr));
            }
            return checker.check(expr);
        } catch (StackOverflowError e) {
            // last resort for callers on very small stacks; the depth bound normally stops nesting first
            throw ParseException.at(query, new PositionRange(0, 0), "expression is nested too deeply");
        }
    }

    private static Expr parseAndCheck(String query) {
        Parser parser = new Parser(query);
        Expr expr = parser.parseQuery();
        return new TypeChecker(query, parser.lexer().input()).check(expr);
    }

    /**
     * An upper bound of the parser's recursion, read off the characters: it nests only into parentheses, unary
     * signs and right-associative '^' (chains of other operators are built in a loop), plus a few precedence levels.
     */
    private static int parserRecursionBound(String query) {
        int bound = 8;
        for (int i = 0; i < query.length(); i++) {
            switch (query.charAt(i)) {
                case '(', '^', '+', '-' -> bound++;
                default -> {
                }
            }
        }
        return bound;
    }

    /** Deepest expression nesting {@link #parseExpr} accepts: engines may recurse over trees this deep. */
    public static int maxDepth() {
        return DeepExpressions.MAX_DEPTH;
    }

    /**
     * A series selector as in the HTTP API's {@code match[]}, e.g. {@code up{job="x"}}. Like Prometheus' own
     * ParseMetricSelector it does not demand a non-empty matcher; the name matcher, if any, comes last.
     */
    public static List<LabelMatcher> parseMetricSelector(String selector) {
        VectorSelector parsed = new Parser(selector).parseSelectorOnly();
        return parsed.matchers();
    }

    /**
     * A Prometheus duration such as {@code 1h30m}, {@code 5m}, {@code 1y}, {@code 250ms} or {@code 0}, in
     * milliseconds (units y w d h m s ms, each at most once, in that order).
     */
    public static long parseDuration(String duration) {
        try {
            return Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new ParseException(e.getMessage(), new PositionRange(0, byteLength(duration)), e.getMessage());
        }
    }

    /**
     * A series line of the golden test language: {@code metric{a="b"} 0+10x100 _x3 stale}. {@code a+bxN} gives N+1
     * values a, a+b, ...; {@code axN} N+1 copies of a; {@code _xN} N omitted steps; {@code _} one omitted step.
     */
    public static SeriesDescription parseSeriesDescription(String line) {
        String text = line.strip();
        int metricEnd = metricEnd(text);
        Labels labels = parseSeriesLabels(text.substring(0, metricEnd));
        List<SeriesValue> values = new ArrayList<>();
        String rest = text.substring(metricEnd).strip();
        if (!rest.isEmpty()) {
            int offset = byteLength(text.substring(0, text.length() - rest.length()));
            for (String item : rest.split("[ \t]+")) {
                parseSeriesItem(line, item, offset, values);
                offset += byteLength(item) + 1;
            }
        }
        return new SeriesDescription(labels, values);
    }

    /** End of the metric name and label set at the start of a series line. */
    private static int metricEnd(String text) {
        int i = 0;
        while (i < text.length() && (Lexer.isAlphaNumeric(text.charAt(i)) || text.charAt(i) == ':')) {
            i++;
        }
        int afterName = i;
        while (i < text.length() && Lexer.isSpace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != '{') {
            return afterName;
        }
        char quote = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                quote = c;
            } else if (c == '}') {
                return i + 1;
            }
        }
        return text.length();
    }

    private static Labels parseSeriesLabels(String metric) {
        Lexer lexer = new Lexer(metric);
        Labels.Builder builder = Labels.builder();
        Token token = lexer.nextToken();
        if (token.type() != TokenType.LEFT_BRACE && token.type() != TokenType.EOF) {
            if (token.type() != TokenType.IDENTIFIER && token.type() != TokenType.METRIC_IDENTIFIER
                    && token.type().kind != TokenType.Kind.AGGREGATOR && token.type().kind != TokenType.Kind.KEYWORD
                    && token.type().kind != TokenType.Kind.PREPROCESSOR && token.type().kind != TokenType.Kind.OPERATOR) {
                throw seriesError(metric, token, "unexpected " + token.describe() + " in series description");
            }
            builder.set(Labels.METRIC_NAME, token.text());
            token = lexer.nextToken();
        }
        if (token.type() == TokenType.LEFT_BRACE) {
            token = lexer.nextToken();
            while (token.type() != TokenType.RIGHT_BRACE) {
                if (token.type() != TokenType.IDENTIFIER) {
                    throw seriesError(metric, token, "unexpected " + token.describe()
                            + " in label set, expected identifier or \"}\"");
                }
                Token equal = lexer.nextToken();
                if (equal.type() != TokenType.EQL) {
                    throw seriesError(metric, equal, "unexpected " + equal.describe() + " in label set, expected \"=\"");
                }
                Token value = lexer.nextToken();
                if (value.type() != TokenType.STRING) {
                    throw seriesError(metric, value, "unexpected " + value.describe() + " in label set, expected string");
                }
                builder.set(token.text(), GoStringLiterals.unquote(value.text()));
                token = lexer.nextToken();
                if (token.type() == TokenType.COMMA) {
                    token = lexer.nextToken();
                } else if (token.type() != TokenType.RIGHT_BRACE) {
                    throw seriesError(metric, token, "unexpected " + token.describe()
                            + " in label set, expected \",\" or \"}\"");
                }
            }
            token = lexer.nextToken();
        }
        if (token.type() != TokenType.EOF) {
            throw seriesError(metric, token, "unexpected " + token.describe() + " in series description");
        }
        return builder.build();
    }

    private static void parseSeriesItem(String line, String item, int offset, List<SeriesValue> values) {
        Matcher blank = BLANK_ITEM.matcher(item);
        if (blank.matches()) {
            long count = blank.group(1) == null ? 1 : repetitions(line, item, offset, blank.group(1));
            for (long i = 0; i < count; i++) {
                values.add(SeriesValue.OMITTED);
            }
            return;
        }
        Matcher matcher = SERIES_ITEM.matcher(item);
        if (!matcher.matches()) {
            throw ParseException.at(line, new PositionRange(offset, offset + byteLength(item)),
                    "bad series value " + GoStrings.quote(item) + ", expected number or \"stale\"");
        }
        String start = matcher.group(1);
        double value = start.equals("stale") ? SeriesValue.STALE_NAN : GoNumbers.parseNumber(signless(start))
                * (start.startsWith("-") ? -1 : 1);
        if (matcher.group(4) == null) {
            if (matcher.group(2) != null) {
                throw ParseException.at(line, new PositionRange(offset, offset + byteLength(item)),
                        "bad series value " + GoStrings.quote(item) + ", increment needs x<count>");
            }
            values.add(SeriesValue.of(value));
            return;
        }
        long count = repetitions(line, item, offset, matcher.group(4));
        double increment = 0;
        if (matcher.group(2) != null) {
            increment = GoNumbers.parseNumber(matcher.group(3)) * (matcher.group(2).equals("-") ? -1 : 1);
        }
        for (long i = 0; i <= count; i++) {
            values.add(SeriesValue.of(value));
            value += increment;
        }
    }

    private static String signless(String number) {
        return number.startsWith("+") || number.startsWith("-") ? number.substring(1) : number;
    }

    private static long repetitions(String line, String item, int offset, String digits) {
        if (digits.length() > 7) { // a series line is test data: keep it to a few million steps
            throw ParseException.at(line, new PositionRange(offset, offset + byteLength(item)),
                    "invalid repetition in series values: " + digits.toLowerCase(Locale.ROOT));
        }
        return Long.parseLong(digits);
    }

    private static ParseException seriesError(String metric, Token token, String message) {
        return ParseException.at(metric, new PositionRange(token.start(), token.end()), message);
    }

    private static int byteLength(String s) {
        return GoStrings.utf8Bytes(s).length;
    }
}
