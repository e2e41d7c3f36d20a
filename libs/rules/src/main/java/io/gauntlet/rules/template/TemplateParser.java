package io.gauntlet.rules.template;

import io.gauntlet.rules.template.TemplateLexer.Item;
import io.gauntlet.rules.template.TemplateLexer.Type;
import io.gauntlet.rules.template.TemplateNodes.ActionNode;
import io.gauntlet.rules.template.TemplateNodes.BoolNode;
import io.gauntlet.rules.template.TemplateNodes.BranchKind;
import io.gauntlet.rules.template.TemplateNodes.BranchNode;
import io.gauntlet.rules.template.TemplateNodes.BreakNode;
import io.gauntlet.rules.template.TemplateNodes.ChainNode;
import io.gauntlet.rules.template.TemplateNodes.CommandNode;
import io.gauntlet.rules.template.TemplateNodes.ContinueNode;
import io.gauntlet.rules.template.TemplateNodes.DotNode;
import io.gauntlet.rules.template.TemplateNodes.ElseNode;
import io.gauntlet.rules.template.TemplateNodes.EndNode;
import io.gauntlet.rules.template.TemplateNodes.FieldNode;
import io.gauntlet.rules.template.TemplateNodes.IdentifierNode;
import io.gauntlet.rules.template.TemplateNodes.ListNode;
import io.gauntlet.rules.template.TemplateNodes.NilNode;
import io.gauntlet.rules.template.TemplateNodes.Node;
import io.gauntlet.rules.template.TemplateNodes.NumberNode;
import io.gauntlet.rules.template.TemplateNodes.PipeNode;
import io.gauntlet.rules.template.TemplateNodes.StringNode;
import io.gauntlet.rules.template.TemplateNodes.TemplateNode;
import io.gauntlet.rules.template.TemplateNodes.TextNode;
import io.gauntlet.rules.template.TemplateNodes.VariableNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Go text/template's parser: the same grammar, variable scoping, function checks and error texts. */
final class TemplateParser {
    /** A parse failure; the message is Go's, without the {@code template: name:line: } prefix. */
    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final String name;
    private final List<Item> items;
    private final Set<String> functions;
    private final Map<String, ListNode> templates;
    private int index;
    private int line = 1;
    private List<String> vars = new ArrayList<>(List.of("$"));
    private int rangeDepth;
    private int actionLine;

    private TemplateParser(String name, List<Item> items, Set<String> functions, Map<String, ListNode> templates) {
        this.name = name;
        this.items = items;
        this.functions = functions;
        this.templates = templates;
    }

    /** Parses {@code text}; the main tree is under {@code name}, each {{define}} under its own name. */
    static Map<String, ListNode> parse(String name, String text, Set<String> functions) throws TemplateException {
        Map<String, ListNode> templates = new LinkedHashMap<>();
        TemplateParser parser = new TemplateParser(name, TemplateLexer.lex(text), functions, templates);
        try {
            ListNode root = parser.parseRoot();
            if (!templates.containsKey(name) || !isEmptyTree(root)) {
                templates.put(name, root);
            }
        } catch (Failure e) {
            throw new TemplateException("template: " + name + ":" + parser.line + ": " + e.getMessage());
        }
        return templates;
    }

    private static boolean isEmptyTree(ListNode list) {
        for (Node node : list.nodes()) {
            if (!(node instanceof TextNode text) || !text.text().isBlank()) {
                return false;
            }
        }
        return true;
    }

    private Failure error(String message) {
        return new Failure(message);
    }

    private Item next() {
        Item item = items.get(Math.min(index, items.size() - 1));
        index++;
        line = item.line();
        return item;
    }

    private void backup() {
        index--;
    }

    private Item peek() {
        return items.get(Math.min(index, items.size() - 1));
    }

    private Item nextNonSpace() {
        Item item;
        do {
            item = next();
        } while (item.type() == Type.SPACE);
        return item;
    }

    private Item peekNonSpace() {
        Item item = nextNonSpace();
        backup();
        return item;
    }

    private Item expect(Type expected, String context) {
        Item item = nextNonSpace();
        if (item.type() != expected) {
            throw unexpected(item, context);
        }
        return item;
    }

    private Failure unexpected(Item item, String context) {
        if (item.type() == Type.ERROR) {
            String extra = "";
            if (actionLine != 0 && actionLine != item.line()) {
                extra = " in action started at " + name + ":" + actionLine;
                if (item.value().endsWith(" action")) {
                    extra = extra.substring(" in action".length());
                }
            }
            return error(item.value() + extra);
        }
        return error("unexpected " + item + " in " + context);
    }

    private ListNode parseRoot() {
        List<Node> nodes = new ArrayList<>();
        int rootPos = peek().pos();
        while (peek().type() != Type.EOF) {
            if (peek().type() == Type.LEFT_DELIM) {
                int mark = index;
                next();
                if (nextNonSpace().type() == Type.DEFINE) {
                    parseDefinition();
                    continue;
                }
                index = mark;
            }
            Node node = textOrAction();
            if (node instanceof EndNode || node instanceof ElseNode) {
                throw error("unexpected " + node);
            }
            nodes.add(node);
        }
        return new ListNode(rootPos, nodes);
    }

    private void parseDefinition() {
        String context = "define clause";
        Item nameItem = nextNonSpace();
        if (nameItem.type() != Type.STRING && nameItem.type() != Type.RAW_STRING) {
            throw unexpected(nameItem, context);
        }
        String definedName = unquote(nameItem.value());
        expect(Type.RIGHT_DELIM, context);
        ListNode list = definitionBody(context);
        if (!templates.containsKey(definedName) || !isEmptyTree(list)) {
            templates.put(definedName, list);
        }
    }

    /** The body of a {{define}} or {{block}} up to its {{end}}, with its own variable scope. */
    private ListNode definitionBody(String context) {
        List<String> saved = vars;
        vars = new ArrayList<>(List.of("$"));
        Node[] end = new Node[1];
        ListNode list = itemList(end);
        if (!(end[0] instanceof EndNode)) {
            throw error("unexpected " + end[0] + " in " + context);
        }
        vars = saved;
        return list;
    }

    private ListNode itemList(Node[] end) {
        List<Node> nodes = new ArrayList<>();
        int listPos = peekNonSpace().pos();
        while (peekNonSpace().type() != Type.EOF) {
            Node node = textOrAction();
            if (node instanceof EndNode || node instanceof ElseNode) {
                end[0] = node;
                return new ListNode(listPos, nodes);
            }
            nodes.add(node);
        }
        throw error("unexpected EOF");
    }

    private Node textOrAction() {
        Item item = nextNonSpace();
        return switch (item.type()) {
            case TEXT -> new TextNode(item.pos(), item.value());
            case LEFT_DELIM -> {
                actionLine = item.line();
                try {
                    yield action();
                } finally {
                    actionLine = 0;
                }
            }
            default -> throw unexpected(item, "input");
        };
    }

    private Node action() {
        Item item = nextNonSpace();
        switch (item.type()) {
            case BLOCK -> {
                return blockControl();
            }
            case BREAK -> {
                return loopControl(item, "break");
            }
            case CONTINUE -> {
                return loopControl(item, "continue");
            }
            case ELSE -> {
                return elseControl();
            }
            case END -> {
                return new EndNode(expect(Type.RIGHT_DELIM, "end").pos());
            }
            case IF -> {
                return control(BranchKind.IF, true, "if");
            }
            case RANGE -> {
                return control(BranchKind.RANGE, false, "range");
            }
            case TEMPLATE -> {
                return templateControl();
            }
            case WITH -> {
                return control(BranchKind.WITH, false, "with");
            }
            default -> {
            }
        }
        backup();
        Item start = peek();
        return new ActionNode(start.pos(), start.line(), pipeline("command", Type.RIGHT_DELIM));
    }

    private Node loopControl(Item item, String word) {
        Item delim = nextNonSpace();
        if (delim.type() != Type.RIGHT_DELIM) {
            throw unexpected(delim, "{{" + word + "}}");
        }
        if (rangeDepth == 0) {
            throw error("{{" + word + "}} outside {{range}}");
        }
        return word.equals("break") ? new BreakNode(item.pos()) : new ContinueNode(item.pos());
    }

    private Node elseControl() {
        Item peek = peekNonSpace();
        if (peek.type() == Type.IF) {
            return new ElseNode(peek.pos(), peek.line());
        }
        Item item = expect(Type.RIGHT_DELIM, "else");
        return new ElseNode(item.pos(), item.line());
    }

    private BranchNode control(BranchKind kind, boolean allowElseIf, String context) {
        int mark = vars.size();
        try {
            PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
            if (kind == BranchKind.RANGE) {
                rangeDepth++;
            }
            Node[] next = new Node[1];
            ListNode list = itemList(next);
            if (kind == BranchKind.RANGE) {
                rangeDepth--;
            }
            ListNode elseList = null;
            if (next[0] instanceof ElseNode elseNode) {
                if (allowElseIf && peek().type() == Type.IF) {
                    next();
                    elseList = new ListNode(elseNode.pos(), List.of(control(BranchKind.IF, true, "if")));
                } else {
                    elseList = itemList(next);
                    if (!(next[0] instanceof EndNode)) {
                        throw error("expected end; found " + next[0]);
                    }
                }
            }
            return new BranchNode(pipe.pos(), pipe.line(), kind, pipe, list, elseList);
        } finally {
            vars = new ArrayList<>(vars.subList(0, mark));
        }
    }

    private Node blockControl() {
        String context = "block clause";
        Item token = nextNonSpace();
        String blockName = templateName(token, context);
        PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
        templates.put(blockName, definitionBody(context));
        return new TemplateNode(token.pos(), token.line(), blockName, pipe);
    }

    private Node templateControl() {
        String context = "template clause";
        Item token = nextNonSpace();
        String templateName = templateName(token, context);
        PipeNode pipe = null;
        if (nextNonSpace().type() != Type.RIGHT_DELIM) {
            backup();
            pipe = pipeline(context, Type.RIGHT_DELIM);
        }
        return new TemplateNode(token.pos(), token.line(), templateName, pipe);
    }

    private String templateName(Item token, String context) {
        if (token.type() == Type.STRING || token.type() == Type.RAW_STRING) {
            return unquote(token.value());
        }
        throw unexpected(token, context);
    }

    private PipeNode pipeline(String context, Type end) {
        Item start = peekNonSpace();
        boolean isAssign = false;
        List<VariableNode> decl = new ArrayList<>();
        List<CommandNode> commands = new ArrayList<>();
        while (true) {
            Item v = peekNonSpace();
            if (v.type() != Type.VARIABLE) {
                break;
            }
            nextNonSpace();
            Item afterVariable = peek();
            Item following = peekNonSpace();
            if (following.type() == Type.ASSIGN || following.type() == Type.DECLARE) {
                isAssign = following.type() == Type.ASSIGN;
                nextNonSpace();
                decl.add(new VariableNode(v.pos(), List.of(v.value())));
                vars.add(v.value());
                break;
            } else if (following.type() == Type.CHAR && following.value().equals(",")) {
                nextNonSpace();
                decl.add(new VariableNode(v.pos(), List.of(v.value())));
                vars.add(v.value());
                if (context.equals("range") && decl.size() < 2) {
                    Type after = peekNonSpace().type();
                    if (after == Type.VARIABLE || after == Type.RIGHT_DELIM || after == Type.RIGHT_PAREN) {
                        continue;
                    }
                    throw error("range can only initialize variables");
                }
                throw error("too many declarations in " + context);
            } else if (afterVariable.type() == Type.SPACE) {
                index = indexOfItem(v);
                break;
            } else {
                index = indexOfItem(v);
                break;
            }
        }
        while (true) {
            Item item = nextNonSpace();
            if (item.type() == end) {
                if (commands.isEmpty()) {
                    throw error("missing value for " + context);
                }
                for (int i = 1; i < commands.size(); i++) {
                    Node first = commands.get(i).args().getFirst();
                    if (first instanceof BoolNode || first instanceof DotNode || first instanceof NilNode
                            || first instanceof NumberNode || first instanceof StringNode) {
                        throw error("non executable command in pipeline stage " + (i + 1));
                    }
                }
                return new PipeNode(start.pos(), start.line(), isAssign, decl, commands);
            }
            switch (item.type()) {
                case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE, LEFT_PAREN -> {
                    backup();
                    commands.add(command());
                }
                default -> throw unexpected(item, context);
            }
        }
    }

    private int indexOfItem(Item item) {
        for (int i = index - 1; i >= 0; i--) {
            if (items.get(i) == item) {
                return i;
            }
        }
        return index;
    }

    private CommandNode command() {
        List<Node> args = new ArrayList<>();
        int commandPos = peekNonSpace().pos();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Item item = next();
            switch (item.type()) {
                case SPACE -> {
                    continue;
                }
                case RIGHT_DELIM, RIGHT_PAREN -> backup();
                case PIPE -> {
                }
                default -> throw unexpected(item, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw error("empty command");
        }
        return new CommandNode(commandPos, args);
    }

    private Node operand() {
        Node node = term();
        if (node == null) {
            return null;
        }
        if (peek().type() == Type.FIELD) {
            int chainPos = peek().pos();
            List<String> fields = new ArrayList<>();
            while (peek().type() == Type.FIELD) {
                fields.addAll(Arrays.asList(next().value().substring(1).split("\\.")));
            }
            return switch (node) {
                case FieldNode field -> {
                    List<String> all = new ArrayList<>(field.ident());
                    all.addAll(fields);
                    yield new FieldNode(chainPos, all);
                }
                case VariableNode variable -> {
                    List<String> all = new ArrayList<>(variable.ident());
                    all.addAll(fields);
                    yield new VariableNode(chainPos, all);
                }
                case BoolNode b -> throw error("unexpected . after term " + io.gauntlet.promql.ast.GoStrings.quote(b.toString()));
                case StringNode s -> throw error("unexpected . after term " + io.gauntlet.promql.ast.GoStrings.quote(s.toString()));
                case NumberNode n -> throw error("unexpected . after term " + io.gauntlet.promql.ast.GoStrings.quote(n.toString()));
                case NilNode n -> throw error("unexpected . after term \"nil\"");
                case DotNode d -> throw error("unexpected . after term \".\"");
                default -> new ChainNode(chainPos, node, fields);
            };
        }
        return node;
    }

    private Node term() {
        Item item = nextNonSpace();
        switch (item.type()) {
            case IDENTIFIER -> {
                if (!functions.contains(item.value())) {
                    throw error("function " + io.gauntlet.promql.ast.GoStrings.quote(item.value()) + " not defined");
                }
                return new IdentifierNode(item.pos(), item.value());
            }
            case DOT -> {
                return new DotNode(item.pos());
            }
            case NIL -> {
                return new NilNode(item.pos());
            }
            case VARIABLE -> {
                List<String> ident = Arrays.asList(item.value().split("\\."));
                if (!vars.contains(ident.getFirst())) {
                    throw error("undefined variable " + io.gauntlet.promql.ast.GoStrings.quote(ident.getFirst()));
                }
                return new VariableNode(item.pos(), ident);
            }
            case FIELD -> {
                return new FieldNode(item.pos(), Arrays.asList(item.value().substring(1).split("\\.")));
            }
            case BOOL -> {
                return new BoolNode(item.pos(), item.value().equals("true"));
            }
            case CHAR_CONSTANT, NUMBER -> {
                return number(item);
            }
            case LEFT_PAREN -> {
                return pipeline("parenthesized pipeline", Type.RIGHT_PAREN);
            }
            case STRING, RAW_STRING -> {
                return new StringNode(item.pos(), item.value(), unquote(item.value()));
            }
            default -> {
                backup();
                return null;
            }
        }
    }

    private Node number(Item item) {
        String text = item.value();
        if (item.type() == Type.CHAR_CONSTANT) {
            String unquoted = unquoteChar(text);
            int rune = unquoted.codePointAt(0);
            return new NumberNode(item.pos(), text, true, rune, true, rune);
        }
        if (text.endsWith("i")) {
            throw error("complex constants are not supported in alert templates: " + text);
        }
        String digits = text.replace("_", "");
        boolean isInt = false;
        long intValue = 0;
        try {
            intValue = parseGoInt(digits);
            isInt = true;
        } catch (NumberFormatException e) {
            // not an integer
        }
        boolean isFloat = false;
        double floatValue = 0;
        if (isInt) {
            isFloat = true;
            floatValue = intValue;
        } else {
            try {
                floatValue = Double.parseDouble(digits.startsWith("+") ? digits.substring(1) : digits);
                isFloat = !Double.isInfinite(floatValue);
                if (isFloat && floatValue == Math.rint(floatValue) && Math.abs(floatValue) < 9.2e18) {
                    isInt = true;
                    intValue = (long) floatValue;
                }
            } catch (NumberFormatException e) {
                // not a float either
            }
        }
        if (!isInt && !isFloat) {
            throw error("illegal number syntax: " + io.gauntlet.promql.ast.GoStrings.quote(text));
        }
        return new NumberNode(item.pos(), text, isInt, intValue, isFloat, floatValue);
    }

    private static long parseGoInt(String text) {
        boolean negative = text.startsWith("-");
        String body = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        int radix = 10;
        if (body.startsWith("0x") || body.startsWith("0X")) {
            radix = 16;
            body = body.substring(2);
        } else if (body.startsWith("0o") || body.startsWith("0O")) {
            radix = 8;
            body = body.substring(2);
        } else if (body.startsWith("0b") || body.startsWith("0B")) {
            radix = 2;
            body = body.substring(2);
        } else if (body.length() > 1 && body.startsWith("0")) {
            radix = 8;
            body = body.substring(1);
        }
        BigInteger value = new BigInteger(body, radix);
        if (negative) {
            value = value.negate();
        }
        return value.longValueExact();
    }

    /** Go's strconv.Unquote for "…" and `…` literals. */
    static String unquote(String literal) {
        if (literal.startsWith("`")) {
            return literal.substring(1, literal.length() - 1).replace("\r", "");
        }
        StringBuilder out = new StringBuilder();
        String body = literal.substring(1, literal.length() - 1);
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case '\'' -> out.append('\'');
                case 'x' -> {
                    out.append((char) Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    out.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    out.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        out.append((char) Integer.parseInt(body.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        throw new Failure("invalid syntax");
                    }
                }
            }
        }
        return out.toString();
    }

    private static String unquoteChar(String literal) {
        return unquote("\"" + literal.substring(1, literal.length() - 1).replace("\"", "\\\"") + "\"");
    }
}
