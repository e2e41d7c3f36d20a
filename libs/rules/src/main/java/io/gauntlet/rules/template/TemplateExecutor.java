package io.gauntlet.rules.template;

import io.gauntlet.rules.template.TemplateNodes.ActionNode;
import io.gauntlet.rules.template.TemplateNodes.BoolNode;
import io.gauntlet.rules.template.TemplateNodes.BranchKind;
import io.gauntlet.rules.template.TemplateNodes.BranchNode;
import io.gauntlet.rules.template.TemplateNodes.BreakNode;
import io.gauntlet.rules.template.TemplateNodes.ChainNode;
import io.gauntlet.rules.template.TemplateNodes.CommandNode;
import io.gauntlet.rules.template.TemplateNodes.ContinueNode;
import io.gauntlet.rules.template.TemplateNodes.DotNode;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Go text/template's executor with {@code missingkey=zero}: Go's truth, printing, calls and error texts. */
final class TemplateExecutor {
    /** An execution failure; the message is complete (Go's {@code template: …: executing … at <…>: …}). */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Break extends RuntimeException {
        Break() {
            super(null, null, false, false);
        }
    }

    private static final class Continue extends RuntimeException {
        Continue() {
            super(null, null, false, false);
        }
    }

    /** Go's invalid reflect.Value: "no value" (missing argument, missing map entry of interface type). */
    private static final Object MISSING = new Object();
    private static final int MAX_DEPTH = 10_000;

    private final String name;
    private final String text;
    private final Map<String, ListNode> templates;
    private final Map<String, FunctionSpec> functions;
    private final StringBuilder out = new StringBuilder();
    private final List<String> varNames = new ArrayList<>();
    private final List<Object> varValues = new ArrayList<>();
    private Node node;
    private int depth;

    TemplateExecutor(String name, String text, Map<String, ListNode> templates, Map<String, FunctionSpec> functions) {
        this.name = name;
        this.text = text;
        this.templates = templates;
        this.functions = functions;
    }

    String execute(Object data) {
        ListNode root = templates.get(name);
        if (root == null) {
            throw new Failure("template: " + name + ": \"" + name + "\" is an incomplete or empty template");
        }
        push("$", data);
        walk(data, root);
        return out.toString();
    }

    private Failure error(String message) {
        if (node == null) {
            return new Failure("template: " + name + ": " + message);
        }
        int pos = Math.min(node.pos(), text.length());
        String before = text.substring(0, pos);
        int lastNewline = before.lastIndexOf('\n');
        int column = lastNewline < 0 ? pos : pos - (lastNewline + 1);
        int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
        return new Failure("template: " + name + ":" + line + ":" + column + ": executing \"" + name + "\" at <" + node + ">: " + message);
    }

    private void push(String variable, Object value) {
        varNames.add(variable);
        varValues.add(value);
    }

    private int mark() {
        return varNames.size();
    }

    private void pop(int mark) {
        while (varNames.size() > mark) {
            varNames.removeLast();
            varValues.removeLast();
        }
    }

    private void setTopVar(int n, Object value) {
        varValues.set(varValues.size() - n, value);
    }

    private void setVar(String variable, Object value) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(variable)) {
                varValues.set(i, value);
                return;
            }
        }
        throw error("undefined variable: " + variable);
    }

    private Object varValue(String variable) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(variable)) {
                return varValues.get(i);
            }
        }
        throw error("undefined variable: " + variable);
    }

    private void walk(Object dot, Node n) {
        node = n;
        switch (n) {
            case ActionNode action -> {
                Object value = evalPipeline(dot, action.pipe());
                if (action.pipe().decl().isEmpty()) {
                    node = action;
                    out.append(printable(value));
                }
            }
            case BranchNode branch when branch.kind() == BranchKind.RANGE -> walkRange(dot, branch);
            case BranchNode branch -> {
                int mark = mark();
                try {
                    Object value = evalPipeline(dot, branch.pipe());
                    if (isTrue(value)) {
                        walk(branch.kind() == BranchKind.WITH ? value : dot, branch.list());
                    } else if (branch.elseList() != null) {
                        walk(dot, branch.elseList());
                    }
                } finally {
                    pop(mark);
                }
            }
            case ListNode list -> {
                for (Node child : list.nodes()) {
                    walk(dot, child);
                }
            }
            case TextNode textNode -> out.append(textNode.text());
            case TemplateNode template -> walkTemplate(dot, template);
            case BreakNode ignored -> throw new Break();
            case ContinueNode ignored -> throw new Continue();
            default -> throw error("unknown node: " + n);
        }
    }

    private void walkTemplate(Object dot, TemplateNode template) {
        ListNode tree = templates.get(template.name());
        if (tree == null) {
            throw error("template " + io.gauntlet.promql.ast.GoStrings.quote(template.name()) + " not defined");
        }
        if (++depth > MAX_DEPTH) {
            throw error("exceeded maximum template depth (" + MAX_DEPTH + ")");
        }
        Object newDot = template.pipe() == null ? MISSING : evalPipeline(dot, template.pipe());
        List<String> savedNames = new ArrayList<>(varNames);
        List<Object> savedValues = new ArrayList<>(varValues);
        varNames.clear();
        varValues.clear();
        push("$", newDot);
        try {
            walk(newDot, tree);
        } finally {
            varNames.clear();
            varValues.clear();
            varNames.addAll(savedNames);
            varValues.addAll(savedValues);
            depth--;
        }
    }

    private void walkRange(Object dot, BranchNode range) {
        int mark = mark();
        try {
            Object value = evalPipeline(dot, range.pipe());
            List<Object[]> entries = new ArrayList<>();
            switch (value) {
                case TemplateQueryResult result -> {
                    for (int i = 0; i < result.samples().size(); i++) {
                        entries.add(new Object[] {(long) i, result.samples().get(i)});
                    }
                }
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        entries.add(new Object[] {(long) i, list.get(i)});
                    }
                }
                case GoStringMap map -> new TreeMap<>(map.map()).forEach((k, v) -> entries.add(new Object[] {k, v}));
                case Map<?, ?> map -> new TreeMap<>(map).forEach((k, v) -> entries.add(new Object[] {k, v}));
                case Long count -> {
                    for (long i = 0; i < count; i++) {
                        entries.add(new Object[] {i, i});
                    }
                }
                default -> {
                    if (value != MISSING && value != null) {
                        node = range;
                        throw error("range can't iterate over " + GoFmt.value(value));
                    }
                }
            }
            int declared = range.pipe().decl().size();
            for (Object[] entry : entries) {
                int iterationMark = mark();
                if (declared > 0) {
                    setTopVar(1, entry[1]);
                }
                if (declared > 1) {
                    setTopVar(2, entry[0]);
                }
                try {
                    walk(entry[1], range.list());
                } catch (Break b) {
                    pop(iterationMark);
                    break;
                } catch (Continue c) {
                    // next element
                }
                pop(iterationMark);
            }
            if (entries.isEmpty() && range.elseList() != null) {
                walk(dot, range.elseList());
            }
        } finally {
            pop(mark);
        }
    }

    private Object evalPipeline(Object dot, PipeNode pipe) {
        if (pipe == null) {
            return MISSING;
        }
        node = pipe;
        Object value = MISSING;
        for (CommandNode command : pipe.commands()) {
            value = evalCommand(dot, command, value);
        }
        for (VariableNode variable : pipe.decl()) {
            if (pipe.isAssign()) {
                setVar(variable.ident().getFirst(), value);
            } else {
                push(variable.ident().getFirst(), value);
            }
        }
        return value;
    }

    private Object evalCommand(Object dot, CommandNode command, Object finalValue) {
        Node first = command.args().getFirst();
        switch (first) {
            case FieldNode field -> {
                return evalFieldChain(dot, dot, field, field.ident(), command.args(), finalValue);
            }
            case ChainNode chain -> {
                return evalChain(dot, chain, command.args(), finalValue);
            }
            case IdentifierNode identifier -> {
                return evalFunction(dot, identifier, command.args(), finalValue);
            }
            case PipeNode pipe -> {
                notAFunction(command.args(), finalValue);
                return evalPipeline(dot, pipe);
            }
            case VariableNode variable -> {
                return evalVariable(dot, variable, command.args(), finalValue);
            }
            default -> {
            }
        }
        node = first;
        notAFunction(command.args(), finalValue);
        return switch (first) {
            case BoolNode b -> b.value();
            case DotNode ignored -> dot;
            case NilNode ignored -> throw error("nil is not a command");
            case NumberNode number -> idealConstant(number);
            case StringNode string -> string.text();
            default -> throw error("can't evaluate command " + io.gauntlet.promql.ast.GoStrings.quote(first.toString()));
        };
    }

    private Object idealConstant(NumberNode number) {
        String t = number.text();
        boolean hex = t.startsWith("0x") || t.startsWith("0X") || t.startsWith("-0x") || t.startsWith("+0x");
        if (number.isFloat() && !hex && !t.startsWith("'") && t.matches(".*[.eEpP].*")) {
            return number.floatValue();
        }
        if (number.isInt()) {
            return number.intValue();
        }
        throw error(t + " overflows int");
    }

    private void notAFunction(List<Node> args, Object finalValue) {
        if (args.size() > 1 || finalValue != MISSING) {
            throw error("can't give argument to non-function " + args.getFirst());
        }
    }

    private Object evalVariable(Object dot, VariableNode variable, List<Node> args, Object finalValue) {
        node = variable;
        Object value = varValue(variable.ident().getFirst());
        if (variable.ident().size() == 1) {
            notAFunction(args, finalValue);
            return value;
        }
        return evalFieldChain(dot, value, variable, variable.ident().subList(1, variable.ident().size()), args, finalValue);
    }

    private Object evalChain(Object dot, ChainNode chain, List<Node> args, Object finalValue) {
        if (chain.node() instanceof NilNode) {
            throw error("indirection through explicit nil in " + chain);
        }
        Object pipe = evalArg(dot, null, chain.node());
        return evalFieldChain(dot, pipe, chain, chain.fields(), args, finalValue);
    }

    private Object evalFieldChain(Object dot, Object receiver, Node n, List<String> ident, List<Node> args, Object finalValue) {
        node = n;
        int last = ident.size() - 1;
        for (int i = 0; i < last; i++) {
            receiver = evalField(ident.get(i), List.of(), MISSING, receiver);
        }
        return evalField(ident.get(last), args, finalValue, receiver);
    }

    private Object evalField(String fieldName, List<Node> args, Object finalValue, Object receiver) {
        if (receiver == MISSING) {
            return MISSING;
        }
        boolean hasArgs = args.size() > 1 || finalValue != MISSING;
        switch (receiver) {
            case null -> throw error("nil pointer evaluating interface {}." + fieldName);
            case GoStringMap map -> {
                if (hasArgs) {
                    throw error(fieldName + " is not a method but has arguments");
                }
                return map.get(fieldName);
            }
            case Map<?, ?> map -> {
                if (hasArgs) {
                    throw error(fieldName + " is not a method but has arguments");
                }
                Object value = map.get(fieldName);
                return value == null && !map.containsKey(fieldName) ? MISSING : value;
            }
            case GoValue value -> {
                try {
                    Object field = value.field(fieldName);
                    if (hasArgs) {
                        throw error(fieldName + " has arguments but cannot be invoked as function");
                    }
                    return field;
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            default -> throw error("can't evaluate field " + fieldName + " in type " + GoFmt.typeName(receiver));
        }
    }

    private Object evalFunction(Object dot, IdentifierNode identifier, List<Node> args, Object finalValue) {
        node = identifier;
        String function = identifier.name();
        return switch (function) {
            case "and", "or" -> evalAndOr(dot, function, args, finalValue);
            default -> {
                if (Builtins.NAMES.contains(function)) {
                    List<Object> values = evalAll(dot, args.subList(1, args.size()), finalValue);
                    node = identifier;
                    try {
                        yield Builtins.call(function, values);
                    } catch (Builtins.BuiltinException e) {
                        throw error(e.getMessage());
                    }
                }
                FunctionSpec spec = functions.get(function);
                if (spec == null) {
                    throw error(io.gauntlet.promql.ast.GoStrings.quote(function) + " is not a defined function");
                }
                yield evalCall(dot, spec, identifier, args, finalValue);
            }
        };
    }

    private List<Object> evalAll(Object dot, List<Node> args, Object finalValue) {
        List<Object> values = new ArrayList<>();
        for (Node arg : args) {
            values.add(evalArg(dot, null, arg));
        }
        if (finalValue != MISSING) {
            values.add(finalValue);
        }
        return values;
    }

    private Object evalAndOr(Object dot, String function, List<Node> args, Object finalValue) {
        int count = args.size() - 1 + (finalValue != MISSING ? 1 : 0);
        if (count < 1) {
            throw error("wrong number of args for " + function + ": want at least 1 got 0");
        }
        Object value = null;
        for (int i = 1; i <= count; i++) {
            value = i < args.size() ? evalArg(dot, null, args.get(i)) : finalValue;
            boolean truth = isTrue(value);
            if (function.equals("and") != truth) {
                return value;
            }
        }
        return value;
    }

    private Object evalCall(Object dot, FunctionSpec spec, Node callNode, List<Node> argNodes, Object finalValue) {
        List<Node> args = argNodes.subList(1, argNodes.size());
        int numIn = args.size() + (finalValue != MISSING ? 1 : 0);
        int numParams = spec.params().size();
        int numFixed = args.size();
        if (spec.variadic()) {
            numFixed = numParams - 1;
            if (numIn < numFixed) {
                throw error("wrong number of args for " + spec.name() + ": want at least " + (numParams - 1) + " got " + args.size());
            }
        } else if (numIn != numParams) {
            throw error("wrong number of args for " + spec.name() + ": want " + numParams + " got " + numIn);
        }
        List<Object> argv = new ArrayList<>(numIn);
        int i = 0;
        for (; i < numFixed && i < args.size(); i++) {
            argv.add(evalArg(dot, spec.params().get(i), args.get(i)));
        }
        if (spec.variadic()) {
            GoType elementType = spec.params().getLast();
            for (; i < args.size(); i++) {
                argv.add(evalArg(dot, elementType, args.get(i)));
            }
        }
        if (finalValue != MISSING) {
            GoType type = spec.params().getLast();
            if (spec.variadic() && numIn - 1 < numFixed) {
                type = spec.params().get(numIn - 1);
            }
            argv.add(validateType(finalValue, type));
        }
        try {
            return spec.body().call(argv);
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            node = callNode;
            throw error("error calling " + spec.name() + ": " + e.getMessage());
        }
    }

    private Object evalArg(Object dot, GoType type, Node n) {
        node = n;
        switch (n) {
            case DotNode ignored -> {
                return validateType(dot, type);
            }
            case NilNode ignored -> {
                if (type == null || type.canBeNil()) {
                    return null;
                }
                throw error("cannot assign nil to " + type.goName());
            }
            case FieldNode field -> {
                return validateType(evalFieldChain(dot, dot, field, field.ident(), List.of(n), MISSING), type);
            }
            case VariableNode variable -> {
                return validateType(evalVariable(dot, variable, List.of(n), MISSING), type);
            }
            case PipeNode pipe -> {
                return validateType(evalPipeline(dot, pipe), type);
            }
            case IdentifierNode identifier -> {
                return validateType(evalFunction(dot, identifier, List.of(identifier), MISSING), type);
            }
            case ChainNode chain -> {
                return validateType(evalChain(dot, chain, List.of(n), MISSING), type);
            }
            default -> {
            }
        }
        if (type == null || type == GoType.ANY) {
            return switch (n) {
                case BoolNode b -> b.value();
                case NumberNode number -> idealConstant(number);
                case StringNode string -> string.text();
                default -> throw error("can't handle " + n + " for arg of type interface {}");
            };
        }
        return switch (type) {
            case STRING -> {
                if (n instanceof StringNode string) {
                    yield string.text();
                }
                throw error("expected string; found " + n);
            }
            case FLOAT64 -> {
                if (n instanceof NumberNode number && number.isFloat()) {
                    yield number.floatValue();
                }
                throw error("expected float; found " + n);
            }
            case INT -> {
                if (n instanceof NumberNode number && number.isInt()) {
                    yield number.intValue();
                }
                throw error("expected integer; found " + n);
            }
            case BOOL -> {
                if (n instanceof BoolNode b) {
                    yield b.value();
                }
                throw error("expected bool; found " + n);
            }
            default -> throw error("can't handle " + n + " for arg of type " + type.goName());
        };
    }

    private Object validateType(Object value, GoType type) {
        if (value == MISSING) {
            if (type == null) {
                return null;
            }
            if (type.canBeNil()) {
                return null;
            }
            throw error("invalid value; expected " + type.goName());
        }
        if (type == null || type.accepts(value) || (value == null && type.canBeNil())) {
            return value;
        }
        throw error("wrong type for value; expected " + type.goName() + "; got " + GoFmt.typeName(value));
    }

    private String printable(Object value) {
        if (value == MISSING) {
            return "<no value>";
        }
        return GoFmt.value(value);
    }

    /** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
    static boolean isTrue(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Long l -> l != 0;
            case Double d -> d != 0;
            case GoStringMap map -> !map.map().isEmpty();
            case GoHtml html -> !html.text().isEmpty();
            case TemplateQueryResult result -> !result.samples().isEmpty();
            case Map<?, ?> map -> !map.isEmpty();
            case List<?> list -> !list.isEmpty();
            default -> value != MISSING;
        };
    }

    /** Go's builtin functions that templates get without Prometheus. */
    static final class Builtins {
        static final java.util.Set<String> NAMES = java.util.Set.of("not", "len", "index", "slice", "print", "printf", "println",
                "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "call");

        static final class BuiltinException extends Exception {
            BuiltinException(String message) {
                super(message);
            }
        }

        private Builtins() {
        }

        static Object call(String name, List<Object> args) throws BuiltinException {
            return switch (name) {
                case "not" -> {
                    want(name, args, 1);
                    yield !isTrue(args.getFirst());
                }
                case "len" -> {
                    want(name, args, 1);
                    yield length(args.getFirst());
                }
                case "index" -> index(args);
                case "slice" -> slice(args);
                case "print" -> GoFmt.sprint(args);
                case "println" -> GoFmt.sprintln(args);
                case "printf" -> {
                    if (args.isEmpty()) {
                        throw new BuiltinException("wrong number of args for printf: want at least 1 got 0");
                    }
                    if (!(args.getFirst() instanceof String format)) {
                        throw new BuiltinException("wrong type for value; expected string; got " + GoFmt.typeName(args.getFirst()));
                    }
                    yield GoFmt.sprintf(format, args.subList(1, args.size()));
                }
                case "html" -> htmlEscape(evalArgs(args));
                case "js" -> jsEscape(evalArgs(args));
                case "urlquery" -> URLEncoder.encode(evalArgs(args), StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
                case "eq" -> {
                    if (args.size() < 2) {
                        throw new BuiltinException("error calling eq: missing argument for comparison");
                    }
                    boolean truth = false;
                    for (int i = 1; i < args.size() && !truth; i++) {
                        truth = compare("eq", args.getFirst(), args.get(i)) == 0;
                    }
                    yield truth;
                }
                case "ne" -> {
                    want(name, args, 2);
                    yield compare(name, args.get(0), args.get(1)) != 0;
                }
                case "lt" -> {
                    want(name, args, 2);
                    yield ordered(name, args.get(0), args.get(1)) < 0;
                }
                case "le" -> {
                    want(name, args, 2);
                    yield ordered(name, args.get(0), args.get(1)) <= 0;
                }
                case "gt" -> {
                    want(name, args, 2);
                    yield ordered(name, args.get(0), args.get(1)) > 0;
                }
                case "ge" -> {
                    want(name, args, 2);
                    yield ordered(name, args.get(0), args.get(1)) >= 0;
                }
                case "call" -> throw new BuiltinException("error calling call: non-function of type " + (args.isEmpty() ? "<nil>" : GoFmt.typeName(args.getFirst())));
                default -> throw new BuiltinException("\"" + name + "\" is not a defined function");
            };
        }

        private static void want(String name, List<Object> args, int count) throws BuiltinException {
            if (args.size() != count) {
                throw new BuiltinException("wrong number of args for " + name + ": want " + count + " got " + args.size());
            }
        }

        private static String evalArgs(List<Object> args) {
            if (args.size() == 1 && args.getFirst() instanceof String s) {
                return s;
            }
            return GoFmt.sprint(args);
        }

        private static long length(Object value) throws BuiltinException {
            return switch (value) {
                case String s -> s.getBytes(StandardCharsets.UTF_8).length;
                case GoStringMap map -> map.map().size();
                case TemplateQueryResult result -> result.samples().size();
                case GoHtml html -> html.text().getBytes(StandardCharsets.UTF_8).length;
                case Map<?, ?> map -> map.size();
                case List<?> list -> list.size();
                case null -> throw new BuiltinException("error calling len: len of nil pointer");
                default -> throw new BuiltinException("error calling len: len of type " + GoFmt.typeName(value));
            };
        }

        private static Object index(List<Object> args) throws BuiltinException {
            if (args.isEmpty()) {
                throw new BuiltinException("wrong number of args for index: want at least 1 got 0");
            }
            Object item = args.getFirst();
            for (Object key : args.subList(1, args.size())) {
                item = switch (item) {
                    case GoStringMap map when key instanceof String k -> map.get(k);
                    case Map<?, ?> map -> map.get(key);
                    case TemplateQueryResult result when key instanceof Long i -> {
                        if (i < 0 || i >= result.samples().size()) {
                            throw new BuiltinException("error calling index: index out of range: " + i);
                        }
                        yield result.samples().get((int) (long) i);
                    }
                    case List<?> list when key instanceof Long i -> {
                        if (i < 0 || i >= list.size()) {
                            throw new BuiltinException("error calling index: index out of range: " + i);
                        }
                        yield list.get((int) (long) i);
                    }
                    case null -> throw new BuiltinException("error calling index: index of untyped nil");
                    default -> throw new BuiltinException("error calling index: can't index item of type " + GoFmt.typeName(item));
                };
            }
            return item;
        }

        private static Object slice(List<Object> args) throws BuiltinException {
            if (args.isEmpty()) {
                throw new BuiltinException("wrong number of args for slice: want at least 1 got 0");
            }
            Object item = args.getFirst();
            int[] bounds = new int[args.size() - 1];
            for (int i = 1; i < args.size(); i++) {
                if (!(args.get(i) instanceof Long l)) {
                    throw new BuiltinException("error calling slice: cannot index slice/array with type " + GoFmt.typeName(args.get(i)));
                }
                bounds[i - 1] = (int) (long) l;
            }
            if (item instanceof String s) {
                int from = bounds.length > 0 ? bounds[0] : 0;
                int to = bounds.length > 1 ? bounds[1] : s.length();
                if (from < 0 || to > s.length() || from > to) {
                    throw new BuiltinException("error calling slice: index out of range: " + to);
                }
                return s.substring(from, to);
            }
            if (item instanceof TemplateQueryResult result) {
                int from = bounds.length > 0 ? bounds[0] : 0;
                int to = bounds.length > 1 ? bounds[1] : result.samples().size();
                if (from < 0 || to > result.samples().size() || from > to) {
                    throw new BuiltinException("error calling slice: index out of range: " + to);
                }
                return new TemplateQueryResult(result.samples().subList(from, to));
            }
            throw new BuiltinException("error calling slice: can't slice item of type " + GoFmt.typeName(item));
        }

        private static int kind(Object value) {
            return switch (value) {
                case Boolean ignored -> 1;
                case Long ignored -> 2;
                case Double ignored -> 3;
                case String ignored -> 4;
                case null -> 0;
                default -> -1;
            };
        }

        private static int compare(String name, Object a, Object b) throws BuiltinException {
            int ka = kind(a);
            int kb = kind(b);
            if (ka != kb) {
                if (ka > 0 && kb > 0) {
                    throw new BuiltinException("error calling " + name + ": incompatible types for comparison");
                }
                return java.util.Objects.equals(a, b) ? 0 : 1;
            }
            if (ka == 3) {
                return ((Double) a).doubleValue() == (Double) b ? 0 : 1;
            }
            return java.util.Objects.equals(a, b) ? 0 : 1;
        }

        private static int ordered(String name, Object a, Object b) throws BuiltinException {
            int ka = kind(a);
            int kb = kind(b);
            if (ka <= 1 || kb <= 1) {
                throw new BuiltinException("error calling " + name + ": invalid type for comparison");
            }
            if (ka != kb) {
                throw new BuiltinException("error calling " + name + ": incompatible types for comparison");
            }
            return switch (ka) {
                case 2 -> Long.compare((Long) a, (Long) b);
                case 3 -> Double.compare((Double) a, (Double) b) == 0 ? 0 : ((Double) a < (Double) b ? -1 : 1);
                default -> ((String) a).compareTo((String) b) < 0 ? -1 : ((String) a).equals(b) ? 0 : 1;
            };
        }

        static String htmlEscape(String s) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case 0 -> out.append('\uFFFD');
                    case '"' -> out.append("&#34;");
                    case '\'' -> out.append("&#39;");
                    case '&' -> out.append("&amp;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }

        static String jsEscape(String s) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '\'' -> out.append("\\'");
                    case '"' -> out.append("\\\"");
                    case '<' -> out.append("\\u003C");
                    case '>' -> out.append("\\u003E");
                    case '&' -> out.append("\\u0026");
                    case '=' -> out.append("\\u003D");
                    default -> {
                        if (c < ' ') {
                            out.append(String.format("\\u%04X", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.toString();
        }
    }
}
