package io.gauntlet.promql.parser;

import io.gauntlet.promql.DeepExpressions;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.AggregateOperator;
import io.gauntlet.promql.ast.AtModifier;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.BinaryOperator;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Cardinality;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.FunctionSignature;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.PositionRange;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorMatching;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for the PromQL grammar of Prometheus 2.42. Precedence, associativity and the order in
 * which errors are found follow Prometheus' yacc grammar, so the first error is the one Prometheus reports.
 * Produces an unchecked tree; {@link TypeChecker} validates types afterwards, as Prometheus does.
 */
final class Parser {
    /** Deepest recursion of the parser itself (parentheses, calls, unary operators, right-associative '^'). */
    static final int MAX_DEPTH = DeepExpressions.MAX_DEPTH;

    private final Lexer lexer;
    private Token lookahead;
    private Token lastConsumed;
    private int aggregationDepth; // > 0: syntax errors are reported "in aggregation", as yacc's recovery does
    private int depth;

    Parser(String query) {
        this.lexer = new Lexer(query);
    }

    Lexer lexer() {
        return lexer;
    }

    /** The whole query as one expression, unchecked. */
    Expr parseQuery() {
        if (peek().type() == TokenType.EOF) {
            throw ParseException.at(lexer.query(), new PositionRange(0, 0), "no expression found in input");
        }
        Expr expr = parseExpression(1);
        expectEnd();
        return expr;
    }

    /** A single vector selector and nothing else (the HTTP API's {@code match[]}). */
    VectorSelector parseSelectorOnly() {
        Token token = peek();
        VectorSelector selector;
        if (token.type() == TokenType.LEFT_BRACE || isMetricIdentifier(token.type())) {
            next();
            selector = parseVectorSelector(token);
        } else {
            throw unexpected(token, null, null);
        }
        expectEnd();
        return selector;
    }

    private void expectEnd() {
        Token token = next();
        if (token.type() != TokenType.EOF) {
            throw unexpected(token, null, null);
        }
    }

    // ---- expressions ------------------------------------------------------------------------------------------

    /** Binary expressions whose operators bind at least as tight as {@code minPrecedence} (precedence climbing). */
    private Expr parseExpression(int minPrecedence) {
        enter();
        Expr lhs = parseUnary();
        while (true) {
            BinaryOperator operator = binaryOperator(peek().type());
            if (operator == null || operator.precedence() < minPrecedence) {
                break;
            }
            next();
            BinaryModifiers modifiers = parseBinaryModifiers();
            Expr rhs = parseExpression(operator.rightAssociative() ? operator.precedence() : operator.precedence() + 1);
            lhs = new BinaryExpr(operator, lhs, rhs, modifiers.matching(), modifiers.returnBool(),
                    new PositionRange(lhs.position().start(), rhs.position().end()));
        }
        depth--;
        return lhs;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            Token token = peek();
            throw ParseException.at(lexer.query(), new PositionRange(token.start(), token.end()),
                    "expression is nested too deeply (more than " + MAX_DEPTH + " levels)");
        }
    }

    /** Unary +/- binds like '*': its operand holds only '^' and postfix modifiers. */
    private Expr parseUnary() {
        Token token = peek();
        if (token.type() != TokenType.ADD && token.type() != TokenType.SUB) {
            return parsePostfix(parsePrimary());
        }
        next();
        Expr operand = parseExpression(BinaryOperator.POW.precedence());
        BinaryOperator operator = token.type() == TokenType.ADD ? BinaryOperator.ADD : BinaryOperator.SUB;
        PositionRange position = new PositionRange(token.start(), operand.position().end());
        if (operand instanceof NumberLiteral number) { // Prometheus folds the sign into number literals
            return new NumberLiteral(operator == BinaryOperator.SUB ? -number.value() : number.value(), position);
        }
        return new UnaryExpr(operator, operand, position);
    }

    private Expr parsePrimary() {
        Token token = peek();
        switch (token.type()) {
            case NUMBER -> {
                next();
                return new NumberLiteral(parseNumber(token), range(token));
            }
            case STRING -> {
                next();
                return new StringLiteral(unquote(token), range(token));
            }
            case LEFT_PAREN -> {
                next();
                Expr inner = parseExpression(1);
                Token close = next();
                if (close.type() != TokenType.RIGHT_PAREN) {
                    throw unexpected(close);
                }
                return new ParenExpr(inner, new PositionRange(token.start(), close.end()));
            }
            case LEFT_BRACE -> {
                next();
                return parseVectorSelector(token);
            }
            case IDENTIFIER -> {
                next();
                if (peek().type() == TokenType.LEFT_PAREN) {
                    return parseCall(token);
                }
                return parseVectorSelector(token);
            }
            default -> {
                if (token.type().kind == TokenType.Kind.AGGREGATOR) {
                    next();
                    TokenType following = peek().type();
                    if (following == TokenType.LEFT_PAREN || following == TokenType.BY
                            || following == TokenType.WITHOUT) {
                        return parseAggregation(token);
                    }
                    return parseVectorSelector(token);
                }
                if (isMetricIdentifier(token.type())) {
                    next();
                    return parseVectorSelector(token);
                }
                throw unexpected(token);
            }
        }
    }

    private static boolean isMetricIdentifier(TokenType type) {
        return switch (type) {
            case IDENTIFIER, METRIC_IDENTIFIER, BY, LAND, LOR, LUNLESS, OFFSET, WITHOUT, START, END -> true;
            default -> type.kind == TokenType.Kind.AGGREGATOR;
        };
    }

    /** Range, subquery, offset and @ bind tighter than any operator and apply to the expression before them. */
    private Expr parsePostfix(Expr expr) {
        Expr result = expr;
        while (true) {
            switch (peek().type()) {
                case LEFT_BRACKET -> result = parseRangeOrSubquery(result);
                case OFFSET -> result = parseOffset(result);
                case AT -> result = parseAt(result);
                default -> {
                    return result;
                }
            }
        }
    }

    private Expr parseRangeOrSubquery(Expr expr) {
        Token open = next();
        Token rangeToken = next();
        if (rangeToken.type() != TokenType.DURATION) {
            throw unexpected(rangeToken, "subquery selector", "duration");
        }
        long range = parseSelectorDuration(rangeToken);
        Token token = next();
        if (token.type() == TokenType.RIGHT_BRACKET) {
            String problem = null;
            if (!(expr instanceof VectorSelector selector)) {
                problem = "ranges only allowed for vector selectors";
            } else if (selector.offsetMillis() != 0) {
                problem = "no offset modifiers allowed before range";
            } else if (selector.at() != null && selector.at().kind() == AtModifier.Kind.TIMESTAMP) {
                problem = "no @ modifiers allowed before range";
            }
            if (problem != null) {
                throw error(new PositionRange(open.start(), token.end()), problem);
            }
            return new MatrixSelector((VectorSelector) expr, range,
                    new PositionRange(expr.position().start(), token.end()));
        }
        if (token.type() != TokenType.COLON) {
            throw unexpected(token, "subquery or range", "\":\" or \"]\"");
        }
        long step = 0;
        token = next();
        if (token.type() == TokenType.DURATION) {
            step = parseSelectorDuration(token);
            token = next();
            if (token.type() != TokenType.RIGHT_BRACKET) {
                throw unexpected(token, "subquery selector", "\"]\"");
            }
        } else if (token.type() != TokenType.RIGHT_BRACKET) {
            throw unexpected(token, "subquery selector", "duration or \"]\"");
        }
        return new SubqueryExpr(expr, range, step, 0, null, new PositionRange(expr.position().start(), token.end()));
    }

    private Expr parseOffset(Expr expr) {
        next();
        Token token = next();
        boolean negative = false;
        if (token.type() == TokenType.SUB) {
            negative = true;
            token = next();
        }
        if (token.type() != TokenType.DURATION) {
            throw unexpected(token, "offset", "duration");
        }
        long duration = parseSelectorDuration(token);
        long offset = negative ? -duration : duration;
        int end = token.end();
        return switch (expr) {
            case VectorSelector v -> {
                requireNoOffset(expr, v.offsetMillis());
                yield new VectorSelector(v.name(), v.matchers(), offset, v.at(),
                        new PositionRange(v.position().start(), end));
            }
            case MatrixSelector m -> {
                VectorSelector v = m.selector();
                requireNoOffset(expr, v.offsetMillis());
                yield new MatrixSelector(new VectorSelector(v.name(), v.matchers(), offset, v.at(), v.position()),
                        m.rangeMillis(), new PositionRange(m.position().start(), end));
            }
            case SubqueryExpr s -> {
                requireNoOffset(expr, s.offsetMillis());
                yield new SubqueryExpr(s.expr(), s.rangeMillis(), s.stepMillis(), offset, s.at(),
                        new PositionRange(s.position().start(), end));
            }
            default -> throw error(expr.position(), "offset modifier must be preceded by an instant vector selector "
                    + "or range vector selector or a subquery");
        };
    }

    private void requireNoOffset(Expr expr, long offset) {
        if (offset != 0) {
            throw error(expr.position(), "offset may not be set multiple times");
        }
    }

    private Expr parseAt(Expr expr) {
        next();
        Token token = next();
        AtModifier at;
        switch (token.type()) {
            case NUMBER, ADD, SUB -> {
                boolean negative = token.type() == TokenType.SUB;
                if (token.type() != TokenType.NUMBER) {
                    token = next();
                    if (token.type() != TokenType.NUMBER) {
                        throw unexpected(token, "@", "timestamp");
                    }
                }
                double seconds = parseNumber(token);
                if (negative) {
                    seconds = -seconds;
                }
                if (Double.isNaN(seconds) || seconds >= 0x1p63 || seconds <= -0x1p63) {
                    throw error(expr.position(), "timestamp out of bounds for @ modifier: " + formatFixed(seconds));
                }
                double millis = roundHalfAwayFromZero(seconds * 1000);
                // beyond int64 Go's conversion yields MinInt64 on amd64, the platform Prometheus runs on
                at = AtModifier.at(millis >= 0x1p63 || millis < -0x1p63 ? Long.MIN_VALUE : (long) millis);
            }
            case START, END -> {
                Token open = next();
                if (open.type() != TokenType.LEFT_PAREN) {
                    throw unexpected(open, "@", "timestamp");
                }
                Token close = next();
                if (close.type() != TokenType.RIGHT_PAREN) {
                    throw unexpected(close, "@", "timestamp");
                }
                at = token.type() == TokenType.START ? AtModifier.START : AtModifier.END;
                token = close;
            }
            default -> throw unexpected(token, "@", "timestamp");
        }
        int end = token.end();
        return switch (expr) {
            case VectorSelector v -> {
                requireNoAt(expr, v.at());
                yield new VectorSelector(v.name(), v.matchers(), v.offsetMillis(), at,
                        new PositionRange(v.position().start(), end));
            }
            case MatrixSelector m -> {
                VectorSelector v = m.selector();
                requireNoAt(expr, v.at());
                yield new MatrixSelector(new VectorSelector(v.name(), v.matchers(), v.offsetMillis(), at, v.position()),
                        m.rangeMillis(), new PositionRange(m.position().start(), end));
            }
            case SubqueryExpr s -> {
                requireNoAt(expr, s.at());
                yield new SubqueryExpr(s.expr(), s.rangeMillis(), s.stepMillis(), s.offsetMillis(), at,
                        new PositionRange(s.position().start(), end));
            }
            default -> throw error(expr.position(), "@ modifier must be preceded by an instant vector selector "
                    + "or range vector selector or a subquery");
        };
    }

    private void requireNoAt(Expr expr, AtModifier at) {
        if (at != null) {
            throw error(expr.position(), "@ <timestamp> may not be set multiple times");
        }
    }

    // ---- selectors -------------------------------------------------------------------------------------------

    /** {@code first} is the metric name token or the opening brace, already consumed. */
    private VectorSelector parseVectorSelector(Token first) {
        String name = null;
        List<LabelMatcher> matchers = new ArrayList<>();
        int end = first.end();
        Token open = first;
        if (first.type() != TokenType.LEFT_BRACE) {
            name = first.text();
            open = peek().type() == TokenType.LEFT_BRACE ? next() : null;
        }
        if (open != null) {
            end = parseLabelMatchers(matchers);
        }
        if (name != null) {
            matchers.add(LabelMatcher.equal("__name__", name)); // last, as Prometheus appends it
        }
        return new VectorSelector(name, matchers, 0, null, new PositionRange(first.start(), end));
    }

    /** After '{': matchers up to and including '}'; returns the end of '}'. */
    private int parseLabelMatchers(List<LabelMatcher> matchers) {
        Token token = next();
        if (token.type() == TokenType.RIGHT_BRACE) {
            return token.end();
        }
        while (true) {
            if (token.type() != TokenType.IDENTIFIER) {
                throw unexpected(token, "label matching", "identifier or \"}\"");
            }
            Token operator = next();
            LabelMatcher.Type type = switch (operator.type()) {
                case EQL -> LabelMatcher.Type.EQUAL;
                case NEQ -> LabelMatcher.Type.NOT_EQUAL;
                case EQL_REGEX -> LabelMatcher.Type.REGEX;
                case NEQ_REGEX -> LabelMatcher.Type.NOT_REGEX;
                default -> throw unexpected(operator, "label matching", "label matching operator");
            };
            Token value = next();
            if (value.type() != TokenType.STRING) {
                throw unexpected(value, "label matching", "string");
            }
            matchers.add(newMatcher(type, token, value));
            Token separator = next();
            if (separator.type() == TokenType.RIGHT_BRACE) {
                return separator.end();
            }
            if (separator.type() != TokenType.COMMA) {
                throw unexpected(separator, "label matching", "\",\" or \"}\"");
            }
            token = next();
            if (token.type() == TokenType.RIGHT_BRACE) {
                return token.end();
            }
        }
    }

    private LabelMatcher newMatcher(LabelMatcher.Type type, Token label, Token valueToken) {
        String value = unquote(valueToken);
        if (type == LabelMatcher.Type.REGEX || type == LabelMatcher.Type.NOT_REGEX) {
            // Prometheus 2.42 compiles the anchored form, then parses the bare value: both must be valid, and the
            // anchored form is valid whenever the bare value is, so it only needs compiling to word an error
            if (regexError(value) != null) {
                String anchored = "^(?:" + value + ")$";
                String error = regexError(anchored);
                throw error(new PositionRange(label.start(), valueToken.end()),
                        error != null ? error : regexError(value));
            }
        }
        try {
            return LabelMatcher.of(type, label.text(), value);
        } catch (IllegalArgumentException e) {
            throw error(new PositionRange(label.start(), valueToken.end()), e.getMessage());
        }
    }

    /** Go's message for an invalid regular expression, or null when it compiles. */
    private static String regexError(String regex) {
        try {
            com.google.re2j.Pattern.compile(regex);
            return null;
        } catch (com.google.re2j.PatternSyntaxException e) {
            if (e.getMessage().contains("stack underflow")) { // re2j's word for Go's "unexpected )"
                return "error parsing regexp: unexpected ): `" + regex + "`";
            }
            return e.getMessage();
        }
    }

    // ---- aggregations and calls ------------------------------------------------------------------------------

    private Expr parseAggregation(Token operatorToken) {
        AggregateOperator operator = AggregateOperator.valueOf(operatorToken.type().name());
        aggregationDepth++;
        List<String> grouping = List.of();
        boolean without = false;
        boolean modifierFirst = false;
        TokenType following = peek().type();
        if (following == TokenType.BY || following == TokenType.WITHOUT) {
            next();
            without = following == TokenType.WITHOUT;
            grouping = parseGroupingLabels();
            modifierFirst = true;
        }
        Token open = next();
        if (open.type() != TokenType.LEFT_PAREN) {
            throw unexpected(open);
        }
        List<Expr> arguments = parseCallArguments();
        if (!modifierFirst) {
            following = peek().type();
            if (following == TokenType.BY || following == TokenType.WITHOUT) {
                next();
                without = following == TokenType.WITHOUT;
                grouping = parseGroupingLabels();
            }
        }
        aggregationDepth--;
        PositionRange position = new PositionRange(operatorToken.start(), lastConsumed.end());
        if (arguments.isEmpty()) {
            throw error(position, "no arguments for aggregate expression provided");
        }
        int expected = operator.takesParameter() ? 2 : 1;
        if (arguments.size() != expected) {
            throw error(position, "wrong number of arguments for aggregate expression provided, expected "
                    + expected + ", got " + arguments.size());
        }
        Expr param = operator.takesParameter() ? arguments.get(0) : null;
        return new AggregateExpr(operator, arguments.get(expected - 1), param, grouping, without, position);
    }

    private Expr parseCall(Token name) {
        next(); // '('
        List<Expr> arguments = parseCallArguments();
        FunctionSignature function = Functions.get(name.text()).orElseThrow(() ->
                error(range(name), "unknown function with name " + Lexer.goQuote(name.text())));
        return new Call(function, arguments, new PositionRange(name.start(), lastConsumed.end()));
    }

    /** After '(': comma-separated expressions up to and including ')'. */
    private List<Expr> parseCallArguments() {
        List<Expr> arguments = new ArrayList<>();
        if (peek().type() == TokenType.RIGHT_PAREN) {
            next();
            return arguments;
        }
        while (true) {
            arguments.add(parseExpression(1));
            Token token = next();
            if (token.type() == TokenType.RIGHT_PAREN) {
                return arguments;
            }
            if (token.type() != TokenType.COMMA) {
                throw unexpected(token);
            }
            if (!startsExpression(peek().type())) {
                throw error(range(token), "trailing commas not allowed in function call args");
            }
        }
    }

    private static boolean startsExpression(TokenType type) {
        return switch (type) {
            case NUMBER, STRING, LEFT_PAREN, LEFT_BRACE, ADD, SUB -> true;
            default -> isMetricIdentifier(type);
        };
    }

    /** After by/without/on/ignoring/group_x: {@code (label, ...)}. */
    private List<String> parseGroupingLabels() {
        Token open = next();
        if (open.type() != TokenType.LEFT_PAREN) {
            throw unexpected(open, "grouping opts", "\"(\"");
        }
        List<String> labels = new ArrayList<>();
        Token token = next();
        if (token.type() == TokenType.RIGHT_PAREN) {
            return labels;
        }
        while (true) {
            if (!isLabelToken(token)) {
                throw unexpected(token, "grouping opts", "label");
            }
            labels.add(token.text());
            Token separator = next();
            if (separator.type() == TokenType.RIGHT_PAREN) {
                return labels;
            }
            if (separator.type() != TokenType.COMMA) {
                throw unexpected(separator, "grouping opts", "\",\" or \")\"");
            }
            token = next();
            if (token.type() == TokenType.RIGHT_PAREN) {
                return labels;
            }
        }
    }

    /** Keywords may serve as label names in grouping lists; names with ':' may not. */
    private static boolean isLabelToken(Token token) {
        boolean candidate = switch (token.type().kind) {
            case KEYWORD, AGGREGATOR, PREPROCESSOR -> token.type() != TokenType.WITHOUT; // 2.42 omits without
            default -> switch (token.type()) {
                case IDENTIFIER, METRIC_IDENTIFIER, LAND, LOR, LUNLESS, ATAN2 -> true;
                default -> false;
            };
        };
        return candidate && token.text().indexOf(':') < 0;
    }

    private record BinaryModifiers(VectorMatching matching, boolean returnBool) {
    }

    /** [bool] [on|ignoring (labels) [group_left|group_right [(labels)]]]; matching is never null here. */
    private BinaryModifiers parseBinaryModifiers() {
        boolean returnBool = false;
        if (peek().type() == TokenType.BOOL) {
            next();
            returnBool = true;
        }
        Cardinality cardinality = Cardinality.ONE_TO_ONE;
        List<String> matchingLabels = List.of();
        List<String> include = List.of();
        boolean on = false;
        TokenType type = peek().type();
        if (type == TokenType.ON || type == TokenType.IGNORING) {
            next();
            on = type == TokenType.ON;
            matchingLabels = parseGroupingLabels();
            type = peek().type();
            if (type == TokenType.GROUP_LEFT || type == TokenType.GROUP_RIGHT) {
                next();
                cardinality = type == TokenType.GROUP_LEFT ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
                TokenType following = peek().type();
                if (following == TokenType.LEFT_PAREN) {
                    include = parseGroupingLabels();
                } else if (!startsExpression(following)) {
                    throw unexpected(peek(), "grouping opts", "\"(\"");
                }
            }
        }
        return new BinaryModifiers(new VectorMatching(cardinality, matchingLabels, on, include), returnBool);
    }

    private static BinaryOperator binaryOperator(TokenType type) {
        return switch (type) {
            case ADD -> BinaryOperator.ADD;
            case SUB -> BinaryOperator.SUB;
            case MUL -> BinaryOperator.MUL;
            case DIV -> BinaryOperator.DIV;
            case MOD -> BinaryOperator.MOD;
            case POW -> BinaryOperator.POW;
            case ATAN2 -> BinaryOperator.ATAN2;
            case EQLC -> BinaryOperator.EQL;
            case NEQ -> BinaryOperator.NEQ;
            case GTR -> BinaryOperator.GTR;
            case LSS -> BinaryOperator.LSS;
            case GTE -> BinaryOperator.GTE;
            case LTE -> BinaryOperator.LTE;
            case LAND -> BinaryOperator.AND;
            case LOR -> BinaryOperator.OR;
            case LUNLESS -> BinaryOperator.UNLESS;
            default -> null;
        };
    }

    // ---- literals ---------------------------------------------------------------------------------------------

    private double parseNumber(Token token) {
        try {
            return GoNumbers.parseNumber(token.text());
        } catch (NumberFormatException e) {
            throw error(range(token), "error parsing number: " + e.getMessage());
        }
    }

    /** Range, step and offset durations: Prometheus' duration syntax, and never zero. */
    private long parseSelectorDuration(Token token) {
        long millis;
        try {
            millis = Durations.parse(token.text());
        } catch (IllegalArgumentException e) {
            throw error(range(token), e.getMessage());
        }
        if (millis == 0) {
            throw error(range(token), "duration must be greater than 0");
        }
        return millis;
    }

    private String unquote(Token token) {
        try {
            return GoStringLiterals.unquote(token.text());
        } catch (IllegalArgumentException e) {
            throw error(range(token), "error unquoting string " + Lexer.goQuote(token.text()) + ": " + e.getMessage());
        }
    }

    private static double roundHalfAwayFromZero(double value) {
        double magnitude = Math.abs(value);
        double floor = Math.floor(magnitude);
        if (magnitude - floor >= 0.5) {
            floor += 1;
        }
        return Math.copySign(floor, value);
    }

    /** Go's {@code %f}: the exact decimal value with six decimals; infinities as +Inf / -Inf. */
    static String formatFixed(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return new java.math.BigDecimal(value).setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    // ---- tokens and errors ------------------------------------------------------------------------------------

    private Token peek() {
        if (lookahead == null) {
            lookahead = lexer.nextToken();
        }
        return lookahead;
    }

    private Token next() {
        Token token = peek();
        lookahead = null;
        lastConsumed = token;
        return token;
    }

    private static PositionRange range(Token token) {
        return new PositionRange(token.start(), token.end());
    }

    private ParseException error(PositionRange position, String message) {
        return ParseException.at(lexer.query(), position, message);
    }

    /** A syntax error where no local context applies: inside an aggregation yacc reports "in aggregation". */
    private ParseException unexpected(Token token) {
        return unexpected(token, aggregationDepth > 0 ? "aggregation" : null, null);
    }

    private ParseException unexpected(Token token, String context, String expected) {
        StringBuilder message = new StringBuilder("unexpected ").append(token.describe());
        if (context != null) {
            message.append(" in ").append(context);
        }
        if (expected != null) {
            message.append(", expected ").append(expected);
        }
        return error(range(token), message.toString());
    }
}
