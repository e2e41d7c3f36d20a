package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.ValueType;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected trees and errors for the PromQL grammar, in the spirit of Prometheus' parse_test.go. */
class PromqlParserTest {
    private static final PositionRange P = PositionRange.NONE;
    private static final long MINUTE = 60_000;

    // ---- literals --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "1|1", "+1|1", "-1|-1", ".5|0.5", "5.|5", "1e3|1000", "1E-3|0.001", "0x1f|31", "0X1F|31", "017|15", "018|18",
        "99999999999999999999|1e20", "- -1|1", "+-+-2|2", "1.5e+2|150", "1e-400|0"})
    void numbers(String query, double expected) {
        assertThat(parse(query)).isEqualTo(new NumberLiteral(expected, P));
    }

    @Test
    void infinityAndNanAreCaseInsensitiveNumbers() {
        assertThat(parse("Inf")).isEqualTo(new NumberLiteral(Double.POSITIVE_INFINITY, P));
        assertThat(parse("-inf")).isEqualTo(new NumberLiteral(Double.NEGATIVE_INFINITY, P));
        assertThat(parse("nAn")).isEqualTo(new NumberLiteral(Double.NaN, P));
        assertThat(parse("infinity")).isInstanceOf(VectorSelector.class); // only inf and nan are keywords
    }

    @Test
    void stringsUseGoEscapes() {
        assertThat(string("\"a\\tb\\n\\\\\\\"\"")).isEqualTo("a\tb\n\\\"");
        assertThat(string("'it\\'s'")).isEqualTo("it's");
        assertThat(string("\"\\a\\b\\f\\r\\v\"")).isEqualTo("\u0007\b\f\r\u000b");
        assertThat(string("\"\\x41\\101\\u00e9\\U0001F600\"")).isEqualTo("AAé\uD83D\uDE00");
        assertThat(string("\"\\xc3\\xa9\"")).isEqualTo("é"); // byte escapes form UTF-8 together
        assertThat(string("`raw \\n \\d`")).isEqualTo("raw \\n \\d");
        assertThat(string("`multi\nline`")).isEqualTo("multi\nline");
        assertThat(string("\"é😀\"")).isEqualTo("é😀");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "\"\\q\"|1:1: parse error: unknown escape sequence U+0071 'q'",
        "\"\\xZZ\"|1:1: parse error: illegal character U+005A 'Z' in escape sequence",
        "\"\\ud800\"|1:1: parse error: escape sequence is an invalid Unicode code point",
        "\"\\400\"|1:1: parse error: escape sequence is an invalid Unicode code point",
        "'\\\"'|1:1: parse error: unknown escape sequence U+0022 '\"'",
        "\"abc|1:1: parse error: unterminated quoted string",
        "`abc|1:1: parse error: unterminated raw string",
        "1e|1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax",
        "0x|1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid syntax",
        "1e400|1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range",
        "1_000|1:1: parse error: bad number or duration syntax: \"1\"",
        "1h|1:1: parse error: unexpected duration \"1h\""})
    void badLiterals(String query, String message) {
        assertError(query, message);
    }

    // ---- selectors -------------------------------------------------------------------------------------------

    @Test
    void vectorSelectorKeepsWrittenMatcherOrderWithTheNameLast() {
        assertThat(parse("foo{b=\"1\", a!=\"2\", c=~\"x.*\", d!~'y'}")).isEqualTo(new VectorSelector("foo", List.of(
                LabelMatcher.equal("b", "1"), LabelMatcher.notEqual("a", "2"), LabelMatcher.regex("c", "x.*"),
                LabelMatcher.notRegex("d", "y"), LabelMatcher.equal("__name__", "foo")), 0, null, P));
        assertThat(parse("{__name__=~\"foo|bar\"}")).isEqualTo(
                new VectorSelector(null, List.of(LabelMatcher.regex("__name__", "foo|bar")), 0, null, P));
        assertThat(parse("foo:bar:baz{a=\"b\",}")).isEqualTo(new VectorSelector("foo:bar:baz",
                List.of(LabelMatcher.equal("a", "b"), LabelMatcher.equal("__name__", "foo:bar:baz")), 0, null, P));
    }

    @Test
    void keywordsServeAsMetricAndLabelNamesWherePrometheusAllows() {
        for (String name : List.of("sum", "by", "without", "and", "or", "unless", "offset", "start", "end", "SUM")) {
            assertThat(parse(name)).isEqualTo(
                    new VectorSelector(name, List.of(LabelMatcher.equal("__name__", name)), 0, null, P));
        }
        assertThat(parse("foo{sum=\"a\", by=\"b\", inf=\"c\"}")).isInstanceOf(VectorSelector.class);
        AggregateExpr aggregate = (AggregateExpr) parse("sum by (sum, by, on, bool, atan2, start, offset) (x)");
        assertThat(aggregate.grouping()).containsExactly("sum", "by", "on", "bool", "atan2", "start", "offset");
        assertError("bool", "1:1: parse error: unexpected <bool>");
        assertError("on", "1:1: parse error: unexpected <on>");
        assertError("sum by (without) (x)", "1:9: parse error: unexpected <without> in grouping opts, expected label");
    }

    @Test
    void rangesOffsetsAndAtModifiers() {
        VectorSelector foo = selector("foo");
        assertThat(parse("foo[5m]")).isEqualTo(new MatrixSelector(foo, 5 * MINUTE, P));
        assertThat(parse("foo [ 1h30m ]")).isEqualTo(new MatrixSelector(foo, 90 * MINUTE, P));
        assertThat(parse("foo offset 5m")).isEqualTo(withOffsetAndAt(foo, 5 * MINUTE, null));
        assertThat(parse("foo offset -1w")).isEqualTo(withOffsetAndAt(foo, -7 * 24 * 60 * MINUTE, null));
        assertThat(parse("foo @ 1603774568.123")).isEqualTo(withOffsetAndAt(foo, 0, AtModifier.at(1_603_774_568_123L)));
        assertThat(parse("foo @ -1.5")).isEqualTo(withOffsetAndAt(foo, 0, AtModifier.at(-1500)));
        assertThat(parse("foo @ start() offset 1m")).isEqualTo(withOffsetAndAt(foo, MINUTE, AtModifier.START));
        assertThat(parse("foo offset 1m @ END()")).isEqualTo(withOffsetAndAt(foo, MINUTE, AtModifier.END));
        assertThat(parse("foo[5m] offset 1m @ 10")).isEqualTo(
                new MatrixSelector(withOffsetAndAt(foo, MINUTE, AtModifier.at(10_000)), 5 * MINUTE, P));
        // 2.42 only refuses a timestamp before a range, not start()/end()
        assertThat(parse("foo @ start() [5m]")).isEqualTo(
                new MatrixSelector(withOffsetAndAt(foo, 0, AtModifier.START), 5 * MINUTE, P));
    }

    @Test
    void subqueries() {
        Expr rate = parse("rate(foo[5m])");
        assertThat(parse("rate(foo[5m])[30m:1m]")).isEqualTo(new SubqueryExpr(rate, 30 * MINUTE, MINUTE, 0, null, P));
        assertThat(parse("rate(foo[5m])[30m:]")).isEqualTo(new SubqueryExpr(rate, 30 * MINUTE, 0, 0, null, P));
        assertThat(parse("(foo)[5m:] offset 1m @ start()")).isEqualTo(new SubqueryExpr(
                new ParenExpr(selector("foo"), P), 5 * MINUTE, 0, MINUTE, AtModifier.START, P));
        // Prometheus 2.42 reads any letter inside brackets as the colon
        assertThat(parse("foo[5m x]")).isEqualTo(new SubqueryExpr(selector("foo"), 5 * MINUTE, 0, 0, null, P));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "{}|1:1: parse error: vector selector must contain at least one non-empty matcher",
        "{a=~\".*\"}|1:1: parse error: vector selector must contain at least one non-empty matcher",
        "foo{__name__=\"bar\"}|1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"",
        "foo{a=~\"(\"}|1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`",
        "foo{a=~\").*\"}|1:5: parse error: error parsing regexp: unexpected ): `^(?:).*)$`",
        "foo{a=~\"x).*(y\"}|1:5: parse error: error parsing regexp: unexpected ): `x).*(y`",
        "foo{a}|1:6: parse error: unexpected \"}\" in label matching, expected label matching operator",
        "foo{a=b}|1:7: parse error: unexpected identifier \"b\" in label matching, expected string",
        "foo{a=\"b\" c=\"d\"}|1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"",
        "foo{,}|1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"",
        "foo{a=1}|1:7: parse error: unexpected character inside braces: '1'",
        "foo{a:b=\"c\"}|1:6: parse error: unexpected character inside braces: ':'",
        "foo{|1:5: parse error: unexpected end of input inside braces",
        "foo[5m|1:7: parse error: unclosed left bracket",
        "foo[5]|1:5: parse error: missing unit character in duration",
        "foo[1Y]|1:5: parse error: bad duration syntax: \"1\"",
        "foo[5m1h]|1:5: parse error: not a valid duration string: \"5m1h\"",
        "foo[0s]|1:5: parse error: duration must be greater than 0",
        "foo[293y]|1:5: parse error: duration out of range",
        "foo[5m 1m]|1:8: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"",
        "foo[5m:1]|1:8: parse error: unexpected number \"1\" in subquery selector, expected duration or \"]\"",
        "foo[5m:1m:]|1:10: parse error: unexpected colon ':'",
        "(foo)[5m]|1:6: parse error: ranges only allowed for vector selectors",
        "foo[5m][5m]|1:8: parse error: ranges only allowed for vector selectors",
        "foo offset 5m [5m]|1:15: parse error: no offset modifiers allowed before range",
        "foo @ 5 [5m]|1:9: parse error: no @ modifiers allowed before range",
        "foo[5m:][5m:]|1:1: parse error: subquery is only allowed on instant vector, got matrix instead",
        "1[5m:]|1:1: parse error: subquery is only allowed on instant vector, got scalar instead",
        "foo offset|1:11: parse error: unexpected end of input in offset, expected duration",
        "foo offset +5m|1:12: parse error: unexpected <op:+> in offset, expected duration",
        "foo offset 5m offset 1m|1:1: parse error: offset may not be set multiple times",
        "1 offset 5m|1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
        "foo @|1:6: parse error: unexpected end of input in @, expected timestamp",
        "foo @ start|1:12: parse error: unexpected end of input in @, expected timestamp",
        "foo @ 1 @ 2|1:1: parse error: @ <timestamp> may not be set multiple times",
        "foo @ Inf|1:1: parse error: timestamp out of bounds for @ modifier: +Inf",
        "foo @ 1e30|1:1: parse error: timestamp out of bounds for @ modifier: 1000000000000000019884624838656.000000",
        "1 @ 5|1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
        "@ 1|1:1: parse error: unexpected \"<Item 57385>\" <op:@>"})
    void selectorErrors(String query, String message) {
        assertError(query, message);
    }

    // ---- operators -------------------------------------------------------------------------------------------

    @Test
    void precedenceAndAssociativity() {
        assertThat(parse("a + b * c")).isEqualTo(binary(BinaryOperator.ADD, sel("a"),
                binary(BinaryOperator.MUL, sel("b"), sel("c"))));
        assertThat(parse("a - b - c")).isEqualTo(binary(BinaryOperator.SUB,
                binary(BinaryOperator.SUB, sel("a"), sel("b")), sel("c")));
        assertThat(parse("a ^ b ^ c")).isEqualTo(binary(BinaryOperator.POW, sel("a"),
                binary(BinaryOperator.POW, sel("b"), sel("c"))));
        assertThat(parse("a or b and c unless d")).isEqualTo(setOp(BinaryOperator.OR, sel("a"),
                setOp(BinaryOperator.UNLESS, setOp(BinaryOperator.AND, sel("b"), sel("c")), sel("d"))));
        assertThat(parse("a atan2 b * c")).isEqualTo(binary(BinaryOperator.MUL,
                binary(BinaryOperator.ATAN2, sel("a"), sel("b")), sel("c")));
        assertThat(parse("a > b + c")).isEqualTo(binary(BinaryOperator.GTR, sel("a"),
                binary(BinaryOperator.ADD, sel("b"), sel("c"))));
    }

    @Test
    void unaryMinusBindsLikeMultiplication() {
        assertThat(parse("-a ^ b")).isEqualTo(new UnaryExpr(BinaryOperator.SUB,
                binary(BinaryOperator.POW, sel("a"), sel("b")), P));
        assertThat(parse("-a * b")).isEqualTo(binary(BinaryOperator.MUL,
                new UnaryExpr(BinaryOperator.SUB, sel("a"), P), sel("b")));
        assertThat(parse("-1 ^ 2")).isEqualTo(new UnaryExpr(BinaryOperator.SUB,
                new BinaryExpr(BinaryOperator.POW, num(1), num(2), null, false, P), P));
        assertThat(parse("2 ^ -1")).isEqualTo(new BinaryExpr(BinaryOperator.POW, num(2), num(-1), null, false, P));
        assertThat(parse("-foo offset 5m")).isEqualTo(new UnaryExpr(BinaryOperator.SUB,
                withOffsetAndAt(selector("foo"), 5 * MINUTE, null), P));
    }

    @Test
    void vectorMatching() {
        BinaryExpr grouped = (BinaryExpr) parse("a * on(x, y) group_left(z) b");
        assertThat(grouped.matching()).isEqualTo(
                new VectorMatching(Cardinality.MANY_TO_ONE, List.of("x", "y"), true, List.of("z")));
        BinaryExpr right = (BinaryExpr) parse("a / ignoring(x) group_right b");
        assertThat(right.matching()).isEqualTo(
                new VectorMatching(Cardinality.ONE_TO_MANY, List.of("x"), false, List.of()));
        assertThat(((BinaryExpr) parse("a + b")).matching()).isEqualTo(
                new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of()));
        assertThat(((BinaryExpr) parse("a and on() b")).matching()).isEqualTo(
                new VectorMatching(Cardinality.MANY_TO_MANY, List.of(), true, List.of()));
        assertThat(((BinaryExpr) parse("a + 1")).matching()).isNull();
        assertThat(((BinaryExpr) parse("1 + on() a")).matching()).isNull(); // empty on() beside a scalar is dropped
        BinaryExpr bool = (BinaryExpr) parse("a > bool on(x) b");
        assertThat(bool.returnBool()).isTrue();
        assertThat(bool.type()).isEqualTo(ValueType.VECTOR);
        assertThat(parse("1 == bool 2").type()).isEqualTo(ValueType.SCALAR);
        // group_left(...) takes the parenthesis: the right side comes after it
        BinaryExpr include = (BinaryExpr) parse("a + on(b) group_left (c) d");
        assertThat(include.matching().include()).containsExactly("c");
        assertThat(include.rhs()).isEqualTo(sel("d"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "1 == 1|1:3: parse error: comparisons between scalars must use BOOL modifier",
        "foo + bool bar|1:5: parse error: bool modifier can only be used on comparison operators",
        "1 and 1|1:1: parse error: set operator \"and\" not allowed in binary scalar expression",
        "foo and on(a) group_left bar|1:1: parse error: no grouping allowed for \"and\" operation",
        "foo + on(a) group_left(a) bar|1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once",
        "foo + on(a) 1|1:1: parse error: vector matching only allowed between instant vectors",
        "\"a\" + 1|1:1: parse error: binary expression must contain only scalar and instant vector types",
        "1 + foo[5m]|1:5: parse error: binary expression must contain only scalar and instant vector types",
        "-\"a\"|1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"",
        "foo + on(a) bool bar|1:13: parse error: unexpected <bool>",
        "foo + group_left bar|1:7: parse error: unexpected <group_left>",
        "foo * on(a) group_left % bar|1:24: parse error: unexpected <op:%> in grouping opts, expected \"(\"",
        "foo + on bar|1:10: parse error: unexpected identifier \"bar\" in grouping opts, expected \"(\"",
        "foo + on (,) bar|1:11: parse error: unexpected \",\" in grouping opts, expected label",
        "foo =~ bar|1:5: parse error: unexpected character after '=': '~'",
        "foo ! bar|1:5: parse error: unexpected character after '!': ' '",
        "foo !|1:5: parse error: unexpected character after '!': '\uFFFD'",
        "foo é|1:5: parse error: unexpected character: 'é'",
        "foo +|1:6: parse error: unexpected end of input",
        "foo + * bar|1:7: parse error: unexpected <op:*>",
        "foo bar|1:5: parse error: unexpected identifier \"bar\"",
        "foo \"abcdefghijklmnop\"|1:5: parse error: unexpected string \"\\\"abcdefghi\"...",
        "foo sum|1:5: parse error: unexpected <aggr:sum>",
        "foo start|1:5: parse error: unexpected \"start\""})
    void operatorErrors(String query, String message) {
        assertError(query, message);
    }

    // ---- aggregations and functions --------------------------------------------------------------------------

    @Test
    void aggregationsTakeTheirModifierBeforeOrAfter() {
        AggregateExpr expected = new AggregateExpr(AggregateOperator.SUM, sel("foo"), null, List.of("a", "b"), false, P);
        assertThat(parse("sum by (a, b) (foo)")).isEqualTo(expected);
        assertThat(parse("sum(foo) by (a, b,)")).isEqualTo(expected);
        assertThat(parse("SUM BY (a, b) (foo)")).isEqualTo(expected);
        assertThat(parse("avg without () (foo)")).isEqualTo(
                new AggregateExpr(AggregateOperator.AVG, sel("foo"), null, List.of(), true, P));
        assertThat(parse("topk(3, foo)")).isEqualTo(
                new AggregateExpr(AggregateOperator.TOPK, sel("foo"), num(3), List.of(), false, P));
        assertThat(parse("count_values without (a) (\"v\", foo)")).isEqualTo(new AggregateExpr(
                AggregateOperator.COUNT_VALUES, sel("foo"), new StringLiteral("v", P), List.of("a"), true, P));
        assertThat(parse("quantile(0.9, foo)").type()).isEqualTo(ValueType.VECTOR);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\u0001', value = {
        "sum()|1:1: parse error: no arguments for aggregate expression provided",
        "topk(foo)|1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
        "sum(foo, bar)|1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2",
        "topk(foo, 1)|1:11: parse error: expected type instant vector in aggregation expression, got scalar",
        "count_values(1, foo)|1:14: parse error: expected type string in aggregation parameter, got scalar",
        "quantile(\"a\", foo)|1:10: parse error: expected type scalar in aggregation parameter, got string",
        "sum(foo[5m])|1:5: parse error: expected type instant vector in aggregation expression, got range vector",
        "sum(foo bar)|1:9: parse error: unexpected identifier \"bar\" in aggregation",
        "sum(rate(foo bar))|1:14: parse error: unexpected identifier \"bar\" in aggregation",
        "sum(foo) bar|1:10: parse error: unexpected identifier \"bar\"",
        "sum by (a) foo|1:12: parse error: unexpected identifier \"foo\" in aggregation",
        "sum by (a) (foo) by (b)|1:18: parse error: unexpected <by>",
        "sum by|1:7: parse error: unexpected end of input in grouping opts, expected \"(\"",
        "sum by (a b)|1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\"",
        "sum by (foo:bar) (x)|1:9: parse error: unexpected metric identifier \"foo:bar\" in grouping opts, expected label",
        "sum(foo|1:8: parse error: unclosed left parenthesis",
        "sum{a=\"b\"}(foo)|1:11: parse error: unexpected \"(\"",
        "rate(foo)|1:6: parse error: expected type range vector in call to function \"rate\", got instant vector",
        "rate(foo[5m], 1)|1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2",
        "label_join(foo, \"a\")|1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 2",
        "round(foo, 1, 2)|1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3",
        "label_join(foo, \"a\", \"b\", 1)|1:27: parse error: expected type string in call to function \"label_join\", got scalar",
        "nonexistent(foo)|1:1: parse error: unknown function with name \"nonexistent\"",
        "RATE(foo[5m])|1:1: parse error: unknown function with name \"RATE\"",
        "rate(foo,)|1:9: parse error: trailing commas not allowed in function call args",
        "rate(,foo)|1:6: parse error: unexpected \",\"",
        "foo:bar()|1:8: parse error: unexpected \"(\"",
        "start()|1:6: parse error: unexpected \"(\""})
    void aggregationAndCallErrors(String query, String message) {
        assertError(query, message);
    }

    @Test
    void functionCalls() {
        Call call = (Call) parse("label_join(foo, \"dst\", \",\", \"a\", \"b\", \"c\")");
        assertThat(call.function().name()).isEqualTo("label_join");
        assertThat(call.arguments()).hasSize(6);
        assertThat(((Call) parse("day_of_month()")).arguments()).isEmpty();
        assertThat(((Call) parse("round(foo)")).arguments()).hasSize(1);
        assertThat(parse("time()").type()).isEqualTo(ValueType.SCALAR);
        assertThat(parse("rate (foo[5m])")).isInstanceOf(Call.class);
        assertThat(parse("histogram_fraction(0, 1, foo)")).isInstanceOf(Call.class);
    }

    // ---- whole queries, comments, positions, errors ------------------------------------------------------------

    @Test
    void commentsAndWhitespace() {
        assertThat(parse("foo # comment")).isEqualTo(sel("foo"));
        assertThat(parse("foo{a=\"b\" # inside braces\n}")).isInstanceOf(VectorSelector.class);
        assertThat(parse("a\n+\t# c\n\rb")).isEqualTo(binary(BinaryOperator.ADD, sel("a"), sel("b")));
        assertError("", "1:1: parse error: no expression found in input");
        assertError("  # only a comment", "1:1: parse error: no expression found in input");
    }

    @Test
    void errorsCountLinesAndColumnsInUtf8Bytes() {
        assertError("foo +\n  bar baz", "2:7: parse error: unexpected identifier \"baz\"");
        assertError("foo{a=\"é\"} bar", "1:13: parse error: unexpected identifier \"bar\"");
        ParseException e = catchParse("foo + (");
        assertThat(e.position()).isEqualTo(new PositionRange(7, 7));
        assertThat(e.detail()).isEqualTo("unclosed left parenthesis");
        assertThat(e.type()).isEqualTo(ErrorType.BAD_DATA);
    }

    @Test
    void positionsAreUtf8ByteOffsets() {
        Expr expr = PromqlParser.parseExpr("sum(rate(foo{a=\"é\"}[5m])) by (x) + 1");
        BinaryExpr binary = (BinaryExpr) expr;
        assertThat(binary.position()).isEqualTo(new PositionRange(0, 37));
        assertThat(binary.lhs().position()).isEqualTo(new PositionRange(0, 33));
        Call rate = (Call) ((AggregateExpr) binary.lhs()).expr();
        assertThat(rate.position()).isEqualTo(new PositionRange(4, 25));
        assertThat(rate.arguments().get(0).position()).isEqualTo(new PositionRange(9, 24));
        assertThat(binary.rhs().position()).isEqualTo(new PositionRange(36, 37));
        assertThat(PromqlParser.parseExpr("-1").position()).isEqualTo(new PositionRange(0, 2));
    }

    @Test
    void unclosedAndUnbalancedBrackets() {
        assertError("(foo", "1:5: parse error: unclosed left parenthesis");
        assertError("foo)", "1:5: parse error: unexpected right parenthesis ')'");
        assertError("]", "1:1: parse error: unexpected right bracket ']'");
        assertError("}", "1:1: parse error: unexpected character: '}'");
        assertError("[5m]", "1:1: parse error: unexpected \"[\"");
        assertError("foo[[5m]]", "1:5: parse error: missing unit character in duration");
        assertError("{a=\"b\"}{c=\"d\"}", "1:8: parse error: unexpected \"{\"");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Expr parse(String query) {
        return AstNormalizer.withoutPositions(PromqlParser.parseExpr(query));
    }

    private static String string(String query) {
        return ((StringLiteral) PromqlParser.parseExpr(query)).value();
    }

    private static void assertError(String query, String message) {
        assertThatThrownBy(() -> PromqlParser.parseExpr(query)).isInstanceOf(ParseException.class).hasMessage(message);
    }

    private static ParseException catchParse(String query) {
        try {
            PromqlParser.parseExpr(query);
        } catch (ParseException e) {
            return e;
        }
        throw new AssertionError("expected a parse error for " + query);
    }

    private static VectorSelector selector(String name) {
        return new VectorSelector(name, List.of(LabelMatcher.equal("__name__", name)), 0, null, P);
    }

    private static VectorSelector sel(String name) {
        return selector(name);
    }

    private static VectorSelector withOffsetAndAt(VectorSelector selector, long offset, AtModifier at) {
        return new VectorSelector(selector.name(), selector.matchers(), offset, at, P);
    }

    private static NumberLiteral num(double value) {
        return new NumberLiteral(value, P);
    }

    private static BinaryExpr binary(BinaryOperator operator, Expr lhs, Expr rhs) {
        return new BinaryExpr(operator, lhs, rhs, new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of()),
                false, P);
    }

    private static BinaryExpr setOp(BinaryOperator operator, Expr lhs, Expr rhs) {
        return new BinaryExpr(operator, lhs, rhs, new VectorMatching(Cardinality.MANY_TO_MANY, List.of(), false,
                List.of()), false, P);
    }
}
