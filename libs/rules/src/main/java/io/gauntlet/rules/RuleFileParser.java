package io.gauntlet.rules;

import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.rules.template.AlertTemplateData;
import io.gauntlet.rules.template.GoStringMap;
import io.gauntlet.rules.template.TemplateException;
import io.gauntlet.rules.template.TemplateExpander;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.scanner.ScannerException;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Reads Prometheus rule files as Prometheus 2.42 does (rulefmt: strict YAML into {@code groups}, then validation) and
 * reports problems with the texts {@code promtool check rules} prints, e.g.
 * {@code 6:11: group "g", rule 1, "job:foo": could not parse expression: 1:19: parse error: …}. Groups may also carry
 * Thanos' {@code partial_response_strategy}.
 */
public final class RuleFileParser {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?");
    private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|0o[0-7_]+)");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    private RuleFileParser() {
    }

    /** Parses and validates; the errors (empty when the file is good) have no file name prefix. */
    public static Result parse(String file, String content) {
        List<String> errors = new ArrayList<>();
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true);
            options.setMaxAliasesForCollections(1000);
            root = new Yaml(options).compose(new StringReader(content));
        } catch (MarkedYAMLException e) {
            String message = yamlSyntaxError(e);
            return new Result(file, List.of(), List.of(message, message));
        } catch (RuntimeException e) {
            String message = "yaml: " + e.getMessage();
            return new Result(file, List.of(), List.of(message, message));
        }
        Decoder decoder = new Decoder();
        List<RuleGroupSpec> groups;
        try {
            groups = decoder.groups(root, file);
        } catch (FatalDecodeError e) {
            return new Result(file, List.of(), List.of(e.getMessage()));
        }
        if (!decoder.errors.isEmpty()) {
            errors.add("yaml: unmarshal errors:\n  " + String.join("\n  ", decoder.errors));
        }
        if (!decoder.nodeErrors.isEmpty()) {
            errors.add("yaml: unmarshal errors:\n  " + String.join("\n  ", decoder.nodeErrors));
        }
        if (!errors.isEmpty()) {
            return new Result(file, List.of(), errors);
        }
        validate(groups, decoder.positions, errors);
        return new Result(file, errors.isEmpty() ? groups : List.of(), errors);
    }

    /**
     * The outcome of reading one file.
     *
     * @param groups the groups, empty when there are errors
     * @param errors promtool's lines without the {@code file: } prefix
     */
    public record Result(String file, List<RuleGroupSpec> groups, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /** The lines promtool prints for this file, each starting {@code file: }. */
        public List<String> promtoolLines() {
            return errors.stream().map(e -> file + ": " + e).toList();
        }

        public int ruleCount() {
            return groups.stream().mapToInt(g -> g.rules().size()).sum();
        }
    }

    private static String yamlSyntaxError(MarkedYAMLException e) {
        Mark context = e.getContextMark();
        Mark problem = e.getProblemMark();
        boolean scanner = e instanceof ScannerException;
        int line = 0;
        if (context != null && context.getLine() != 0) {
            line = context.getLine() + (scanner ? 1 : 0);
        } else if (problem != null && problem.getLine() != 0) {
            line = problem.getLine() + (scanner ? 1 : 0);
        }
        String problemText = e.getProblem() == null ? e.getMessage() : e.getProblem();
        String message;
        if (problemText.startsWith("expected <block end>")) {
            message = "did not find expected key";
        } else if (problemText.startsWith("mapping values are not allowed")) {
            message = "mapping values are not allowed in this context";
        } else if (problemText.contains("cannot start any token")) {
            message = "found character that cannot start any token";
        } else if (problemText.startsWith("found undefined alias")) {
            message = "unknown anchor '" + problemText.substring(problemText.lastIndexOf(' ') + 1) + "' referenced";
        } else {
            message = problemText;
        }
        return "yaml: " + (line != 0 ? "line " + line + ": " : "") + message;
    }

    /** A decode error that stops decoding (Go's yaml fail): returned alone. */
    private static final class FatalDecodeError extends RuntimeException {
        FatalDecodeError(String message) {
            super(message, null, false, false);
        }
    }

    /** Where a rule's record, alert and expr values and each group's mapping start (1-based), for validation errors. */
    private record Position(int line, int column) {
        static final Position NONE = new Position(0, 0);

        static Position of(Node node) {
            return node == null ? NONE : new Position(node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
        }

        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    private record RulePositions(Position record, Position alert, Position expr) {
    }

    private record Positions(List<Position> groups, List<List<RulePositions>> rules) {
    }

    /** yaml.v3's decoding into rulefmt's types, with its type errors ("line N: cannot unmarshal …"). */
    private static final class Decoder {
        final List<String> errors = new ArrayList<>();
        final List<String> nodeErrors = new ArrayList<>();
        final Positions positions = new Positions(new ArrayList<>(), new ArrayList<>());

        private static int line(Node node) {
            return node.getStartMark().getLine() + 1;
        }

        private static String tag(Node node) {
            return switch (node) {
                case MappingNode ignored -> "!!map";
                case SequenceNode ignored -> "!!seq";
                case ScalarNode scalar -> scalarTag(scalar);
                default -> "!!str";
            };
        }

        private static String scalarTag(ScalarNode scalar) {
            if (scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
                return "!!str";
            }
            String v = scalar.getValue();
            if (v.isEmpty() || v.equals("~") || v.equals("null") || v.equals("Null") || v.equals("NULL")) {
                return "!!null";
            }
            if (v.equals("true") || v.equals("false") || v.equals("True") || v.equals("False") || v.equals("TRUE") || v.equals("FALSE")) {
                return "!!bool";
            }
            if (INT.matcher(v).matches()) {
                return "!!int";
            }
            if (FLOAT.matcher(v).matches()) {
                return "!!float";
            }
            return "!!str";
        }

        private static boolean isNull(Node node) {
            return node instanceof ScalarNode scalar && scalarTag(scalar).equals("!!null");
        }

        private String cannot(Node node, String type) {
            String value = "";
            if (node instanceof ScalarNode scalar) {
                String v = scalar.getValue();
                value = v.length() > 10 ? " `" + v.substring(0, 7) + "...`" : " `" + v + "`";
            }
            return "line " + line(node) + ": cannot unmarshal " + tag(node) + value + " into " + type;
        }

        /** The mapping's entries; duplicate keys and unknown fields become errors. */
        private Map<String, Node> fields(MappingNode mapping, String type, List<String> known) {
            Map<String, Node> out = new LinkedHashMap<>();
            Map<String, Integer> seenAt = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "";
                if (seenAt.containsKey(key)) {
                    errors.add("line " + line(tuple.getKeyNode()) + ": mapping key " + io.gauntlet.promql.ast.GoStrings.quote(key)
                            + " already defined at line " + seenAt.get(key));
                    continue;
                }
                seenAt.put(key, line(tuple.getKeyNode()));
                if (!known.contains(key)) {
                    errors.add("line " + line(tuple.getKeyNode()) + ": field " + key + " not found in type " + type);
                    continue;
                }
                out.put(key, tuple.getValueNode());
            }
            return out;
        }

        List<RuleGroupSpec> groups(Node root, String file) {
            List<RuleGroupSpec> groups = new ArrayList<>();
            if (root == null || isNull(root)) {
                return groups;
            }
            if (!(root instanceof MappingNode mapping)) {
                errors.add(cannot(root, "rulefmt.RuleGroups"));
                nodeErrors.add(cannot(root, "rulefmt.ruleGroups"));
                return groups;
            }
            Node groupsNode = fields(mapping, "rulefmt.RuleGroups", List.of("groups")).get("groups");
            if (groupsNode == null || isNull(groupsNode)) {
                return groups;
            }
            if (!(groupsNode instanceof SequenceNode sequence)) {
                errors.add(cannot(groupsNode, "[]rulefmt.RuleGroup"));
                nodeErrors.add(cannot(groupsNode, "[]yaml.Node"));
                return groups;
            }
            for (Node groupNode : sequence.getValue()) {
                positions.groups.add(Position.of(groupNode));
                List<RulePositions> rulePositions = new ArrayList<>();
                positions.rules.add(rulePositions);
                if (!(groupNode instanceof MappingNode group)) {
                    if (!isNull(groupNode)) {
                        errors.add(cannot(groupNode, "rulefmt.RuleGroup"));
                    }
                    groups.add(new RuleGroupSpec("", file, 0, 0, null, List.of()));
                    continue;
                }
                Map<String, Node> f = fields(group, "rulefmt.RuleGroup",
                        List.of("name", "interval", "limit", "rules", "partial_response_strategy"));
                String name = string(f.get("name"));
                long interval = duration(f.get("interval"));
                int limit = integer(f.get("limit"));
                String strategy = f.containsKey("partial_response_strategy") ? string(f.get("partial_response_strategy")) : null;
                List<RuleSpec> rules = new ArrayList<>();
                Node rulesNode = f.get("rules");
                if (rulesNode instanceof SequenceNode ruleSequence) {
                    for (Node ruleNode : ruleSequence.getValue()) {
                        rules.add(rule(ruleNode, rulePositions));
                    }
                } else if (rulesNode != null && !isNull(rulesNode)) {
                    errors.add(cannot(rulesNode, "[]rulefmt.RuleNode"));
                }
                groups.add(new RuleGroupSpec(name, file, interval, limit, strategy, rules));
            }
            return groups;
        }

        private RuleSpec rule(Node node, List<RulePositions> rulePositions) {
            if (!(node instanceof MappingNode mapping)) {
                if (!isNull(node)) {
                    errors.add(cannot(node, "rulefmt.RuleNode"));
                }
                rulePositions.add(new RulePositions(null, null, null));
                return new RuleSpec("", "", "", 0, 0, Map.of(), Map.of());
            }
            Map<String, Node> f = fields(mapping, "rulefmt.RuleNode",
                    List.of("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"));
            rulePositions.add(new RulePositions(position(f.get("record")), position(f.get("alert")), position(f.get("expr"))));
            return new RuleSpec(nodeValue(f.get("record")), nodeValue(f.get("alert")), nodeValue(f.get("expr")),
                    duration(f.get("for")), duration(f.get("keep_firing_for")), stringMap(f.get("labels")), stringMap(f.get("annotations")));
        }

        private static Position position(Node node) {
            return node == null ? null : Position.of(node);
        }

        /** A yaml.Node field's Value: the text of a scalar, empty for anything else. */
        private static String nodeValue(Node node) {
            return node instanceof ScalarNode scalar && !isNull(scalar) ? scalar.getValue() : "";
        }

        private String string(Node node) {
            if (node == null || isNull(node)) {
                return "";
            }
            if (node instanceof ScalarNode scalar) {
                return scalar.getValue();
            }
            errors.add(cannot(node, "string"));
            return "";
        }

        private int integer(Node node) {
            if (node == null || isNull(node)) {
                return 0;
            }
            if (node instanceof ScalarNode scalar && scalarTag(scalar).equals("!!int")) {
                try {
                    return Integer.decode(scalar.getValue().replace("_", "").replace("0o", "0"));
                } catch (NumberFormatException e) {
                    // out of range: Go's error below
                }
            }
            errors.add(cannot(node, "int"));
            return 0;
        }

        private long duration(Node node) {
            if (node == null || isNull(node)) {
                return 0;
            }
            if (!(node instanceof ScalarNode scalar)) {
                errors.add(cannot(node, "string"));
                return 0;
            }
            return parseDuration(scalar.getValue());
        }

        private Map<String, String> stringMap(Node node) {
            Map<String, String> out = new LinkedHashMap<>();
            if (node == null || isNull(node)) {
                return out;
            }
            if (!(node instanceof MappingNode mapping)) {
                errors.add(cannot(node, "map[string]string"));
                return out;
            }
            for (NodeTuple tuple : mapping.getValue()) {
                String key = string(tuple.getKeyNode());
                if (out.containsKey(key)) {
                    errors.add("line " + line(tuple.getKeyNode()) + ": mapping key " + io.gauntlet.promql.ast.GoStrings.quote(key)
                            + " already defined");
                    continue;
                }
                out.put(key, string(tuple.getValueNode()));
            }
            return out;
        }
    }

    /** Prometheus' model.ParseDuration: units y w d h m s ms, each at most once, in order; "0" alone is zero. */
    public static long parseDuration(String text) {
        if (text.equals("0")) {
            return 0;
        }
        var matcher = DURATION.matcher(text);
        if (text.isEmpty() || !matcher.matches()) {
            throw new FatalDecodeError("not a valid duration string: " + io.gauntlet.promql.ast.GoStrings.quote(text));
        }
        long[] unitMillis = {365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000L, 1L};
        long total = 0;
        for (int i = 0; i < unitMillis.length; i++) {
            String digits = matcher.group(2 + 2 * i);
            if (digits != null) {
                try {
                    total = Math.addExact(total, Math.multiplyExact(Long.parseLong(digits), unitMillis[i]));
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new FatalDecodeError("not a valid duration string: " + io.gauntlet.promql.ast.GoStrings.quote(text));
                }
            }
        }
        return total;
    }

    private static void validate(List<RuleGroupSpec> groups, Positions positions, List<String> errors) {
        Map<String, Boolean> seen = new HashMap<>();
        for (int j = 0; j < groups.size(); j++) {
            RuleGroupSpec group = groups.get(j);
            Position groupPosition = positions.groups.get(j);
            if (group.name().isEmpty()) {
                errors.add(groupPosition + ": Groupname must not be empty");
            }
            if (seen.containsKey(group.name())) {
                errors.add(groupPosition + ": groupname: \"" + group.name() + "\" is repeated in the same file");
            }
            seen.put(group.name(), true);
            if (group.partialResponseStrategy() != null && !group.partialResponseStrategy().isEmpty()
                    && !List.of("warn", "abort").contains(group.partialResponseStrategy().toLowerCase(java.util.Locale.ROOT))) {
                errors.add(groupPosition + ": group \"" + group.name() + "\": partial_response_strategy must be warn or abort, got "
                        + io.gauntlet.promql.ast.GoStrings.quote(group.partialResponseStrategy()));
            }
            for (int i = 0; i < group.rules().size(); i++) {
                RuleSpec rule = group.rules().get(i);
                RulePositions rulePositions = positions.rules.get(j).get(i);
                String ruleName = !rule.alert().isEmpty() ? rule.alert() : rule.record();
                String prefix = "group " + io.gauntlet.promql.ast.GoStrings.quote(group.name()) + ", rule " + (i + 1) + ", "
                        + io.gauntlet.promql.ast.GoStrings.quote(ruleName) + ": ";
                for (String error : validateRule(rule, rulePositions)) {
                    errors.add(error.startsWith("@") ? error.substring(1, error.indexOf('|')) + " " + prefix + error.substring(error.indexOf('|') + 1)
                            : prefix + error);
                }
            }
        }
    }

    /** One rule's problems in rulefmt's order; "@pos|message" carries the position printed before the group. */
    private static List<String> validateRule(RuleSpec rule, RulePositions p) {
        List<String> out = new ArrayList<>();
        Position record = p.record() == null ? Position.NONE : p.record();
        Position alert = p.alert() == null ? Position.NONE : p.alert();
        Position expr = p.expr() == null ? Position.NONE : p.expr();
        if (!rule.record().isEmpty() && !rule.alert().isEmpty()) {
            out.add("@" + record + ": " + alert + ":|only one of 'record' and 'alert' must be set");
        }
        if (rule.record().isEmpty() && rule.alert().isEmpty()) {
            out.add("@" + record + ":|one of 'record' or 'alert' must be set");
        }
        if (rule.expr().isEmpty()) {
            out.add("@" + expr + ":|field 'expr' must be set in rule");
        } else {
            try {
                PromqlParser.parseExpr(rule.expr());
            } catch (PromqlException e) {
                out.add("@" + expr + ":|could not parse expression: " + e.getMessage());
            }
        }
        if (!rule.record().isEmpty()) {
            if (!rule.annotations().isEmpty()) {
                out.add("@" + record + ":|invalid field 'annotations' in recording rule");
            }
            if (rule.forMillis() != 0) {
                out.add("@" + record + ":|invalid field 'for' in recording rule");
            }
            if (rule.keepFiringForMillis() != 0) {
                out.add("@" + record + ":|invalid field 'keep_firing_for' in recording rule");
            }
            if (!METRIC_NAME.matcher(rule.record()).matches()) {
                out.add("@" + record + ":|invalid recording rule name: " + rule.record());
            }
        }
        for (Map.Entry<String, String> label : rule.labels().entrySet()) {
            if (!LABEL_NAME.matcher(label.getKey()).matches() || label.getKey().equals("__name__")) {
                out.add("invalid label name: " + label.getKey());
            }
            if (!validUtf8(label.getValue())) {
                out.add("invalid label value: " + label.getValue());
            }
        }
        for (String annotation : rule.annotations().keySet()) {
            if (!LABEL_NAME.matcher(annotation).matches()) {
                out.add("invalid annotation name: " + annotation);
            }
        }
        if (!rule.alert().isEmpty()) {
            TemplateExpander expander = new TemplateExpander(null, 0, null);
            String name = "__alert_" + rule.alert();
            rule.labels().forEach((key, text) -> parseTest(expander, name, text, "label " + io.gauntlet.promql.ast.GoStrings.quote(key), out));
            rule.annotations().forEach((key, text) -> parseTest(expander, name, text,
                    "annotation " + io.gauntlet.promql.ast.GoStrings.quote(key), out));
        }
        return out;
    }

    private static void parseTest(TemplateExpander expander, String name, String text, String what, List<String> out) {
        try {
            expander.parseTest(name, AlertingRule.TEMPLATE_DEFINITIONS + text);
        } catch (TemplateException e) {
            out.add(what + ": " + e.getMessage());
        }
    }

    private static boolean validUtf8(String value) {
        try {
            StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(value));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Unused by the parser; keeps the data type of the template check visible. */
    static AlertTemplateData emptyTemplateData() {
        return new AlertTemplateData(new GoStringMap(Map.of()), new GoStringMap(Map.of()), "", 0);
    }
}
