package io.gauntlet.rules.template;

import io.gauntlet.promql.ast.GoStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Go text/template's lexer: text and {{actions}} with trim markers and comments, the same items and error texts. */
final class TemplateLexer {
    enum Type {
        ERROR, BOOL, CHAR, CHAR_CONSTANT, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM, LEFT_PAREN, NUMBER, PIPE,
        RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
        // keywords (printed as <word>)
        BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH;

        boolean keyword() {
            return ordinal() >= BLOCK.ordinal();
        }
    }

    record Item(Type type, int pos, String value, int line) {
        @Override
        public String toString() {
            if (type == Type.EOF) {
                return "EOF";
            }
            if (type == Type.ERROR) {
                return value;
            }
            if (type.keyword()) {
                return "<" + value + ">";
            }
            if (value.codePointCount(0, value.length()) > 10) {
                return GoStrings.quote(value.substring(0, value.offsetByCodePoints(0, 10))) + "...";
            }
            return GoStrings.quote(value);
        }
    }

    private static final Map<String, Type> KEYWORDS = Map.ofEntries(Map.entry(".", Type.DOT), Map.entry("block", Type.BLOCK),
            Map.entry("break", Type.BREAK), Map.entry("continue", Type.CONTINUE), Map.entry("define", Type.DEFINE),
            Map.entry("else", Type.ELSE), Map.entry("end", Type.END), Map.entry("if", Type.IF), Map.entry("range", Type.RANGE),
            Map.entry("nil", Type.NIL), Map.entry("template", Type.TEMPLATE), Map.entry("with", Type.WITH));
    private static final String LEFT = "{{";
    private static final String RIGHT = "}}";
    private static final int EOF = -1;

    private final String input;
    private final List<Item> items = new ArrayList<>();
    private int pos;
    private int start;
    private int line = 1;
    private int startLine = 1;
    private int parenDepth;
    private boolean done;

    private TemplateLexer(String input) {
        this.input = input;
    }

    /** All items up to EOF or the first error (which is the last item). */
    static List<Item> lex(String input) {
        TemplateLexer lexer = new TemplateLexer(input);
        lexer.run();
        return lexer.items;
    }

    private void run() {
        State state = this::lexText;
        while (!done && state != null) {
            state = state.next();
        }
    }

    @FunctionalInterface
    private interface State {
        State next();
    }

    private int next() {
        if (pos >= input.length()) {
            return EOF;
        }
        int r = input.codePointAt(pos);
        pos += Character.charCount(r);
        if (r == '\n') {
            line++;
        }
        return r;
    }

    private int peek() {
        return pos >= input.length() ? EOF : input.codePointAt(pos);
    }

    private void backup(int r) {
        if (r == EOF) {
            return;
        }
        pos -= Character.charCount(r);
        if (r == '\n') {
            line--;
        }
    }

    private void emit(Type type) {
        items.add(new Item(type, start, input.substring(start, pos), startLine));
        start = pos;
        startLine = line;
    }

    private void ignore() {
        line += count(input.substring(start, pos));
        start = pos;
        startLine = line;
    }

    private static int count(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private State error(String message) {
        items.add(new Item(Type.ERROR, start, message, startLine));
        done = true;
        return null;
    }

    private static boolean isSpace(int r) {
        return r == ' ' || r == '\t' || r == '\r' || r == '\n';
    }

    private static boolean isAlphaNumeric(int r) {
        return r == '_' || Character.isLetter(r) || Character.isDigit(r);
    }

    private static boolean hasLeftTrimMarker(String s, int at) {
        return at + 1 < s.length() && s.charAt(at) == '-' && isSpace(s.charAt(at + 1));
    }

    private static boolean hasRightTrimMarker(String s, int at) {
        return at + 1 < s.length() && isSpace(s.charAt(at)) && s.charAt(at + 1) == '-';
    }

    private State lexText() {
        int x = input.indexOf(LEFT, pos);
        if (x >= 0) {
            if (x > pos) {
                line += count(input.substring(pos, x));
                pos = x;
                int trimLength = 0;
                if (hasLeftTrimMarker(input, x + LEFT.length())) {
                    int end = x;
                    while (end > start && isSpace(input.charAt(end - 1))) {
                        end--;
                    }
                    trimLength = x - end;
                }
                pos -= trimLength;
                if (pos > start) {
                    items.add(new Item(Type.TEXT, start, input.substring(start, pos), startLine));
                }
                pos += trimLength;
                ignore();
            }
            return this::lexLeftDelim;
        }
        pos = input.length();
        if (pos > start) {
            line += count(input.substring(start, pos));
            items.add(new Item(Type.TEXT, start, input.substring(start, pos), startLine));
            start = pos;
            startLine = line;
        }
        items.add(new Item(Type.EOF, pos, "", line));
        done = true;
        return null;
    }

    private State lexLeftDelim() {
        pos += LEFT.length();
        boolean trim = hasLeftTrimMarker(input, pos);
        int afterMarker = trim ? 2 : 0;
        if (input.startsWith("/*", pos + afterMarker)) {
            pos += afterMarker;
            ignore();
            return this::lexComment;
        }
        emit(Type.LEFT_DELIM);
        pos += afterMarker;
        ignore();
        parenDepth = 0;
        return this::lexInsideAction;
    }

    private State lexComment() {
        pos += 2;
        int x = input.indexOf("*/", pos);
        if (x < 0) {
            return error("unclosed comment");
        }
        pos = x + 2;
        int delim = atRightDelim();
        if (delim < 0) {
            return error("comment ends before closing delimiter");
        }
        ignore();
        if (delim == 1) {
            pos += 2;
        }
        pos += RIGHT.length();
        if (delim == 1) {
            while (pos < input.length() && isSpace(input.charAt(pos))) {
                pos++;
            }
        }
        ignore();
        return this::lexText;
    }

    /** -1: not at a right delimiter, 0: at one, 1: at one with a trim marker before it. */
    private int atRightDelim() {
        if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) {
            return 1;
        }
        return input.startsWith(RIGHT, pos) ? 0 : -1;
    }

    private State lexRightDelim() {
        boolean trim = hasRightTrimMarker(input, pos);
        if (trim) {
            pos += 2;
            ignore();
        }
        pos += RIGHT.length();
        emit(Type.RIGHT_DELIM);
        if (trim) {
            while (pos < input.length() && isSpace(input.charAt(pos))) {
                pos++;
            }
            ignore();
        }
        return this::lexText;
    }

    private State lexInsideAction() {
        int delim = atRightDelim();
        if (delim >= 0) {
            if (parenDepth == 0) {
                return this::lexRightDelim;
            }
            return error("unclosed left paren");
        }
        int r = next();
        if (r == EOF) {
            return error("unclosed action");
        } else if (isSpace(r)) {
            backup(r);
            return this::lexSpace;
        } else if (r == '=') {
            emit(Type.ASSIGN);
        } else if (r == ':') {
            if (next() != '=') {
                return error("expected :=");
            }
            emit(Type.DECLARE);
        } else if (r == '|') {
            emit(Type.PIPE);
        } else if (r == '"') {
            return lexQuote();
        } else if (r == '`') {
            return lexRawQuote();
        } else if (r == '$') {
            return lexFieldOrVariable(Type.VARIABLE);
        } else if (r == '\'') {
            return lexChar();
        } else if (r == '.' && pos < input.length() && (input.charAt(pos) < '0' || input.charAt(pos) > '9')) {
            return lexFieldOrVariable(Type.FIELD);
        } else if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
            backup(r);
            return lexNumber();
        } else if (isAlphaNumeric(r)) {
            backup(r);
            return lexIdentifier();
        } else if (r == '(') {
            emit(Type.LEFT_PAREN);
            parenDepth++;
        } else if (r == ')') {
            emit(Type.RIGHT_PAREN);
            parenDepth--;
            if (parenDepth < 0) {
                return error("unexpected right paren");
            }
        } else if (r <= 127 && GoStrings.isPrint(r)) {
            emit(Type.CHAR);
        } else {
            return error("unrecognized character in action: " + GoStrings.formatUnicode(r));
        }
        return this::lexInsideAction;
    }

    private State lexSpace() {
        int spaces = 0;
        while (isSpace(peek())) {
            next();
            spaces++;
        }
        if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos - 1 + 2)) {
            backup(input.charAt(pos - 1));
            if (spaces == 1) {
                return this::lexRightDelim;
            }
        }
        emit(Type.SPACE);
        return this::lexInsideAction;
    }

    private State lexIdentifier() {
        while (true) {
            int r = next();
            if (isAlphaNumeric(r)) {
                continue;
            }
            backup(r);
            String word = input.substring(start, pos);
            if (!atTerminator()) {
                return error("bad character " + GoStrings.formatUnicode(peek()));
            }
            Type keyword = KEYWORDS.get(word);
            if (keyword != null && keyword.keyword()) {
                emit(keyword);
            } else if (word.startsWith(".")) {
                emit(Type.FIELD);
            } else if (word.equals("true") || word.equals("false")) {
                emit(Type.BOOL);
            } else {
                emit(Type.IDENTIFIER);
            }
            return this::lexInsideAction;
        }
    }

    private State lexFieldOrVariable(Type type) {
        if (atTerminator()) {
            emit(type == Type.VARIABLE ? Type.VARIABLE : Type.DOT);
            return this::lexInsideAction;
        }
        int r;
        while (true) {
            r = next();
            if (!isAlphaNumeric(r)) {
                backup(r);
                break;
            }
        }
        if (!atTerminator()) {
            return error("bad character " + GoStrings.formatUnicode(peek()));
        }
        emit(type);
        return this::lexInsideAction;
    }

    private boolean atTerminator() {
        int r = peek();
        if (isSpace(r)) {
            return true;
        }
        return switch (r) {
            case EOF, '.', ',', '|', ':', ')', '(' -> true;
            default -> r == RIGHT.charAt(0);
        };
    }

    private State lexChar() {
        return lexQuoted('\'', "unterminated character constant", Type.CHAR_CONSTANT);
    }

    /** A quoted literal with backslash escapes, up to {@code close}; a newline or the end inside it is an error. */
    private State lexQuoted(char close, String unterminated, Type type) {
        while (true) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != EOF && r != '\n') {
                    continue;
                }
            }
            if (r == EOF || r == '\n') {
                return error(unterminated);
            }
            if (r == close) {
                break;
            }
        }
        emit(type);
        return this::lexInsideAction;
    }

    private State lexNumber() {
        if (!scanNumber()) {
            return error("bad number syntax: " + GoStrings.quote(input.substring(start, pos)));
        }
        emit(Type.NUMBER);
        return this::lexInsideAction;
    }

    private boolean accept(String valid) {
        int r = next();
        if (r != EOF && valid.indexOf(r) >= 0) {
            return true;
        }
        backup(r);
        return false;
    }

    private void acceptRun(String valid) {
        while (true) {
            int r = next();
            if (r == EOF || valid.indexOf(r) < 0) {
                backup(r);
                return;
            }
        }
    }

    private boolean scanNumber() {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (digits.length() == 11 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 23 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (isAlphaNumeric(peek())) {
            next();
            return false;
        }
        return true;
    }

    private State lexQuote() {
        return lexQuoted('"', "unterminated quoted string", Type.STRING);
    }

    private State lexRawQuote() {
        while (true) {
            int r = next();
            if (r == EOF) {
                return error("unterminated raw quoted string");
            }
            if (r == '`') {
                break;
            }
        }
        emit(Type.RAW_STRING);
        return this::lexInsideAction;
    }
}
