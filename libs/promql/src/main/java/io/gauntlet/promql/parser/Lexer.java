package io.gauntlet.promql.parser;

import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.ast.PositionRange;
import java.nio.charset.StandardCharsets;

/**
 * The PromQL lexer of Prometheus 2.42, rebuilt as a pull scanner over the query's UTF-8 bytes so that positions
 * and error texts are the ones Prometheus reports. Comments are skipped; errors throw {@link ParseException}.
 */
final class Lexer {
    private static final int EOF_RUNE = -1;
    private static final String DECIMAL = "0123456789";
    private static final String HEX = "0123456789abcdefABCDEF";

    private final String query;
    private final byte[] input;
    private int pos;
    private int start;
    private int width;

    private int parenDepth;
    private boolean braceOpen;
    private boolean bracketOpen;
    private boolean gotColon;
    private boolean durationNext; // right after '[': Prometheus lexes a duration there

    Lexer(String query) {
        this.query = query;
        this.input = GoStrings.utf8Bytes(query); // bytes that are not UTF-8 (surrogate-escaped) stay as they came
    }

    String query() {
        return query;
    }

    byte[] input() {
        return input;
    }

    /** The next token that is not a comment. */
    Token nextToken() {
        while (true) {
            Token token = scan();
            if (token.type() != TokenType.COMMENT) {
                return token;
            }
        }
    }

    private Token scan() {
        if (durationNext) {
            durationNext = false;
            return lexDuration();
        }
        while (true) {
            start = pos;
            if (braceOpen) {
                Token token = lexInsideBraces();
                if (token != null) {
                    return token;
                }
                continue;
            }
            if (startsWithComment()) {
                return lexComment();
            }
            int r = next();
            switch (r) {
                case EOF_RUNE -> {
                    if (parenDepth != 0) {
                        throw error("unclosed left parenthesis");
                    }
                    if (bracketOpen) {
                        throw error("unclosed left bracket");
                    }
                    return emit(TokenType.EOF);
                }
                case ',' -> {
                    return emit(TokenType.COMMA);
                }
                case ' ', '\t', '\n', '\r' -> skipSpaces();
                case '*' -> {
                    return emit(TokenType.MUL);
                }
                case '/' -> {
                    return emit(TokenType.DIV);
                }
                case '%' -> {
                    return emit(TokenType.MOD);
                }
                case '+' -> {
                    return emit(TokenType.ADD);
                }
                case '-' -> {
                    return emit(TokenType.SUB);
                }
                case '^' -> {
                    return emit(TokenType.POW);
                }
                case '=' -> {
                    int t = peek();
                    if (t == '=') {
                        next();
                        return emit(TokenType.EQLC);
                    }
                    if (t == '~') {
                        throw error("unexpected character after '=': " + quoteRune(t));
                    }
                    return emit(TokenType.EQL);
                }
                case '!' -> {
                    int t = next();
                    if (t != '=') {
                        throw error("unexpected character after '!': " + quoteRune(t));
                    }
                    return emit(TokenType.NEQ);
                }
                case '<' -> {
                    if (peek() == '=') {
                        next();
                        return emit(TokenType.LTE);
                    }
                    return emit(TokenType.LSS);
                }
                case '>' -> {
                    if (peek() == '=') {
                        next();
                        return emit(TokenType.GTE);
                    }
                    return emit(TokenType.GTR);
                }
                case '"', '\'' -> {
                    return lexString(r);
                }
                case '`' -> {
                    return lexRawString();
                }
                case '(' -> {
                    parenDepth++;
                    return emit(TokenType.LEFT_PAREN);
                }
                case ')' -> {
                    Token token = emit(TokenType.RIGHT_PAREN);
                    parenDepth--;
                    if (parenDepth < 0) {
                        throw error("unexpected right parenthesis " + quoteRune(r));
                    }
                    return token;
                }
                case '{' -> {
                    braceOpen = true;
                    return emit(TokenType.LEFT_BRACE);
                }
                case '[' -> {
                    if (bracketOpen) {
                        throw error("unexpected left bracket " + quoteRune(r));
                    }
                    gotColon = false;
                    Token token = emit(TokenType.LEFT_BRACKET);
                    while (isSpace(peek())) {
                        next();
                    }
                    start = pos;
                    bracketOpen = true;
                    durationNext = true;
                    return token;
                }
                case ']' -> {
                    if (!bracketOpen) {
                        throw error("unexpected right bracket " + quoteRune(r));
                    }
                    bracketOpen = false;
                    return emit(TokenType.RIGHT_BRACKET);
                }
                case '@' -> {
                    return emit(TokenType.AT);
                }
                default -> {
                    if (isDigit(r) || (r == '.' && isDigit(peek()))) {
                        backup();
                        return lexNumberOrDuration();
                    }
                    if (isAlpha(r) || r == ':') {
                        if (!bracketOpen) {
                            backup();
                            return lexKeywordOrIdentifier();
                        }
                        // Prometheus 2.42 takes any letter or ':' inside brackets as the subquery colon
                        if (gotColon) {
                            throw error("unexpected colon " + quoteRune(r));
                        }
                        gotColon = true;
                        return emit(TokenType.COLON);
                    }
                    throw error("unexpected character: " + quoteRune(r));
                }
            }
        }
    }

    /** Returns null after skipping spaces (the caller loops). */
    private Token lexInsideBraces() {
        if (startsWithComment()) {
            return lexComment();
        }
        int r = next();
        switch (r) {
            case EOF_RUNE -> throw error("unexpected end of input inside braces");
            case ' ', '\t', '\n', '\r' -> {
                skipSpaces();
                return null;
            }
            case ',' -> {
                return emit(TokenType.COMMA);
            }
            case '"', '\'' -> {
                return lexString(r);
            }
            case '`' -> {
                return lexRawString();
            }
            case '=' -> {
                if (next() == '~') {
                    return emit(TokenType.EQL_REGEX);
                }
                backup();
                return emit(TokenType.EQL);
            }
            case '!' -> {
                int nr = next();
                if (nr == '~') {
                    return emit(TokenType.NEQ_REGEX);
                }
                if (nr == '=') {
                    return emit(TokenType.NEQ);
                }
                throw error("unexpected character after '!' inside braces: " + quoteRune(nr));
            }
            case '{' -> throw error("unexpected left brace " + quoteRune(r));
            case '}' -> {
                braceOpen = false;
                return emit(TokenType.RIGHT_BRACE);
            }
            default -> {
                if (isAlpha(r)) {
                    while (isAlphaNumeric(next())) {
                        // absorb
                    }
                    backup();
                    return emit(TokenType.IDENTIFIER);
                }
                throw error("unexpected character inside braces: " + quoteRune(r));
            }
        }
    }

    private boolean startsWithComment() {
        return pos < input.length && input[pos] == '#';
    }

    private Token lexComment() {
        pos++;
        int r = next();
        while (r != '\r' && r != '\n' && r != EOF_RUNE) {
            r = next();
        }
        backup();
        return emit(TokenType.COMMENT);
    }

    private void skipSpaces() {
        while (isSpace(peek())) {
            next();
        }
        start = pos;
    }

    private Token lexString(int quote) {
        while (true) {
            int r = next();
            if (r == '\\') {
                lexEscape(quote);
            } else if (r == 0xFFFD) {
                throw error("invalid UTF-8 rune");
            } else if (r == EOF_RUNE || r == '\n') {
                throw error("unterminated quoted string");
            } else if (r == quote) {
                return emit(TokenType.STRING);
            }
        }
    }

    private void lexEscape(int quote) {
        int n;
        int base;
        int max;
        int ch = next();
        switch (ch) {
            case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
                return;
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                n = 3;
                base = 8;
                max = 255;
            }
            case 'x' -> {
                ch = next();
                n = 2;
                base = 16;
                max = 255;
            }
            case 'u' -> {
                ch = next();
                n = 4;
                base = 16;
                max = Character.MAX_CODE_POINT;
            }
            case 'U' -> {
                ch = next();
                n = 8;
                base = 16;
                max = Character.MAX_CODE_POINT;
            }
            case EOF_RUNE -> throw error("escape sequence not terminated");
            default -> {
                if (ch == quote) {
                    return;
                }
                throw error("unknown escape sequence " + formatUnicode(ch));
            }
        }
        long x = 0;
        while (n > 0) {
            int d = digitValue(ch);
            if (d >= base) {
                if (ch == EOF_RUNE) {
                    throw error("escape sequence not terminated");
                }
                throw error("illegal character " + formatUnicode(ch) + " in escape sequence");
            }
            x = x * base + d;
            n--;
            if (n > 0) {
                ch = next();
            }
        }
        if (x > max || (0xD800 <= x && x < 0xE000)) {
            throw error("escape sequence is an invalid Unicode code point");
        }
    }

    private Token lexRawString() {
        while (true) {
            int r = next();
            if (r == 0xFFFD) {
                throw error("invalid UTF-8 rune");
            } else if (r == EOF_RUNE) {
                throw error("unterminated raw string");
            } else if (r == '`') {
                return emit(TokenType.STRING);
            }
        }
    }

    private Token lexDuration() {
        if (scanNumber()) {
            throw error("missing unit character in duration");
        }
        if (!acceptRemainingDuration()) {
            throw error("bad duration syntax: " + goQuote(text(start, pos)));
        }
        backup();
        return emit(TokenType.DURATION);
    }

    private Token lexNumberOrDuration() {
        if (scanNumber()) {
            return emit(TokenType.NUMBER);
        }
        if (acceptRemainingDuration()) {
            backup();
            return emit(TokenType.DURATION);
        }
        throw error("bad number or duration syntax: " + goQuote(text(start, pos)));
    }

    private boolean acceptRemainingDuration() {
        if (!accept("smhdwy")) {
            return false;
        }
        accept("s"); // ms; bad units such as "hs" fail later when the duration is parsed
        while (accept(DECIMAL)) {
            while (accept(DECIMAL)) {
                // absorb
            }
            if (!accept("smhdw")) {
                return false;
            }
            accept("s");
        }
        return !isAlphaNumeric(next());
    }

    /** Scans something number-shaped; whether it really is a number is decided when it is parsed. */
    private boolean scanNumber() {
        String digits = DECIMAL;
        if (accept("0") && accept("xX")) {
            digits = HEX;
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (accept("eE")) {
            accept("+-");
            acceptRun(DECIMAL);
        }
        return !isAlphaNumeric(peek());
    }

    private Token lexKeywordOrIdentifier() {
        while (true) {
            int r = next();
            if (!isAlphaNumeric(r) && r != ':') {
                break;
            }
        }
        backup();
        String word = text(start, pos);
        TokenType keyword = TokenType.keyword(word.toLowerCase(java.util.Locale.ROOT));
        if (keyword != null) {
            return emit(keyword);
        }
        return emit(word.indexOf(':') < 0 ? TokenType.IDENTIFIER : TokenType.METRIC_IDENTIFIER);
    }

    private Token emit(TokenType type) {
        Token token = new Token(type, start, pos, text(start, pos));
        start = pos;
        return token;
    }

    private String text(int from, int to) {
        return new String(input, from, to - from, StandardCharsets.UTF_8);
    }

    private ParseException error(String message) {
        return ParseException.at(query, new PositionRange(start, input.length), message);
    }

    private int next() {
        if (pos >= input.length) {
            width = 0;
            return EOF_RUNE;
        }
        int b = input[pos] & 0xff;
        int rune;
        int w;
        if (b < 0x80) {
            rune = b;
            w = 1;
        } else if (b >= 0xC2 && b < 0xE0 && continuation(1)) {
            rune = ((b & 0x1f) << 6) | (input[pos + 1] & 0x3f);
            w = 2;
        } else if (b >= 0xE0 && b < 0xF0 && continuation(2)) {
            rune = ((b & 0x0f) << 12) | ((input[pos + 1] & 0x3f) << 6) | (input[pos + 2] & 0x3f);
            w = rune < 0x800 || (rune >= 0xD800 && rune < 0xE000) ? 0 : 3;
        } else if (b >= 0xF0 && b < 0xF5 && continuation(3)) {
            rune = ((b & 0x07) << 18) | ((input[pos + 1] & 0x3f) << 12) | ((input[pos + 2] & 0x3f) << 6)
                    | (input[pos + 3] & 0x3f);
            w = rune < 0x10000 || rune > Character.MAX_CODE_POINT ? 0 : 4;
        } else {
            rune = 0xFFFD;
            w = 1;
        }
        if (w == 0) { // overlong or surrogate encoding: invalid, like Go's decoder
            rune = 0xFFFD;
            w = 1;
        }
        width = w;
        pos += w;
        return rune;
    }

    private boolean continuation(int count) {
        if (pos + count >= input.length) {
            return false;
        }
        for (int i = 1; i <= count; i++) {
            if ((input[pos + i] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    private void backup() {
        pos -= width;
    }

    private int peek() {
        int r = next();
        backup();
        return r;
    }

    private boolean accept(String valid) {
        int r = next();
        if (r != EOF_RUNE && valid.indexOf(r) >= 0) {
            return true;
        }
        backup();
        return false;
    }

    private void acceptRun(String valid) {
        while (true) {
            int r = next();
            if (r == EOF_RUNE || valid.indexOf(r) < 0) {
                break;
            }
        }
        backup();
    }

    static boolean isSpace(int r) {
        return r == ' ' || r == '\t' || r == '\n' || r == '\r';
    }

    static boolean isAlpha(int r) {
        return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z');
    }

    static boolean isDigit(int r) {
        return '0' <= r && r <= '9';
    }

    static boolean isAlphaNumeric(int r) {
        return isAlpha(r) || isDigit(r);
    }

    private static int digitValue(int ch) {
        if ('0' <= ch && ch <= '9') {
            return ch - '0';
        }
        if ('a' <= ch && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if ('A' <= ch && ch <= 'F') {
            return ch - 'A' + 10;
        }
        return 16;
    }

    static String quoteRune(int rune) {
        return GoStrings.quoteRune(rune);
    }

    static String formatUnicode(int rune) {
        return GoStrings.formatUnicode(rune);
    }

    static String goQuote(String s) {
        return GoStrings.quote(s);
    }
}
