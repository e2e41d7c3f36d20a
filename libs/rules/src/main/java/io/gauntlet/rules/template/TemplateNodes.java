package io.gauntlet.rules.template;

import io.gauntlet.promql.ast.GoStrings;
import java.util.List;
import java.util.stream.Collectors;

/** The parse tree of Go text/template; {@code toString} prints as Go's nodes do (error messages quote them). */
final class TemplateNodes {
    private TemplateNodes() {
    }

    sealed interface Node permits ListNode, TextNode, ActionNode, PipeNode, CommandNode, IdentifierNode, VariableNode, DotNode,
            NilNode, FieldNode, ChainNode, BoolNode, NumberNode, StringNode, EndNode, ElseNode, BreakNode, ContinueNode,
            BranchNode, TemplateNode {
        int pos();
    }

    record ListNode(int pos, List<Node> nodes) implements Node {
        @Override
        public String toString() {
            return nodes.stream().map(Object::toString).collect(Collectors.joining());
        }
    }

    record TextNode(int pos, String text) implements Node {
        @Override
        public String toString() {
            return GoStrings.quote(text);
        }
    }

    record ActionNode(int pos, int line, PipeNode pipe) implements Node {
        @Override
        public String toString() {
            return "{{" + pipe + "}}";
        }
    }

    record PipeNode(int pos, int line, boolean isAssign, List<VariableNode> decl, List<CommandNode> commands) implements Node {
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            if (!decl.isEmpty()) {
                out.append(decl.stream().map(Object::toString).collect(Collectors.joining(", ")));
                out.append(isAssign ? " = " : " := ");
            }
            out.append(commands.stream().map(Object::toString).collect(Collectors.joining(" | ")));
            return out.toString();
        }
    }

    record CommandNode(int pos, List<Node> args) implements Node {
        @Override
        public String toString() {
            return args.stream().map(a -> a instanceof PipeNode ? "(" + a + ")" : a.toString()).collect(Collectors.joining(" "));
        }
    }

    record IdentifierNode(int pos, String name) implements Node {
        @Override
        public String toString() {
            return name;
        }
    }

    record VariableNode(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return String.join(".", ident);
        }
    }

    record DotNode(int pos) implements Node {
        @Override
        public String toString() {
            return ".";
        }
    }

    record NilNode(int pos) implements Node {
        @Override
        public String toString() {
            return "nil";
        }
    }

    record FieldNode(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return ident.stream().map(i -> "." + i).collect(Collectors.joining());
        }
    }

    record ChainNode(int pos, Node node, List<String> fields) implements Node {
        @Override
        public String toString() {
            String base = node instanceof PipeNode ? "(" + node + ")" : node.toString();
            return base + fields.stream().map(f -> "." + f).collect(Collectors.joining());
        }
    }

    record BoolNode(int pos, boolean value) implements Node {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A number constant: {@code value} is a Long for integers and a Double for floats (Go's ideal constant). */
    record NumberNode(int pos, String text, boolean isInt, long intValue, boolean isFloat, double floatValue) implements Node {
        @Override
        public String toString() {
            return text;
        }
    }

    record StringNode(int pos, String quoted, String text) implements Node {
        @Override
        public String toString() {
            return quoted;
        }
    }

    record EndNode(int pos) implements Node {
        @Override
        public String toString() {
            return "{{end}}";
        }
    }

    record ElseNode(int pos, int line) implements Node {
        @Override
        public String toString() {
            return "{{else}}";
        }
    }

    record BreakNode(int pos) implements Node {
        @Override
        public String toString() {
            return "{{break}}";
        }
    }

    record ContinueNode(int pos) implements Node {
        @Override
        public String toString() {
            return "{{continue}}";
        }
    }

    enum BranchKind { IF, RANGE, WITH }

    record BranchNode(int pos, int line, BranchKind kind, PipeNode pipe, ListNode list, ListNode elseList) implements Node {
        @Override
        public String toString() {
            String name = kind.name().toLowerCase();
            if (elseList != null) {
                return "{{" + name + " " + pipe + "}}" + list + "{{else}}" + elseList + "{{end}}";
            }
            return "{{" + name + " " + pipe + "}}" + list + "{{end}}";
        }
    }

    record TemplateNode(int pos, int line, String name, PipeNode pipe) implements Node {
        @Override
        public String toString() {
            if (pipe == null) {
                return "{{template " + GoStrings.quote(name) + "}}";
            }
            return "{{template " + GoStrings.quote(name) + " " + pipe + "}}";
        }
    }
}
