package io.gauntlet.rules.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gauntlet.rules.template.GoRegexp;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One Prometheus relabel rule ({@code alert_relabel_configs}): source labels joined by the separator, matched against
 * the fully anchored regex, and an action (replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase,
 * uppercase, keepequal, dropequal).
 */
public record RelabelConfig(List<String> sourceLabels, String separator, Pattern regex, long modulus, String targetLabel,
        String replacement, String action) {
    private static final Set<String> ACTIONS = Set.of("replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep",
            "lowercase", "uppercase", "keepequal", "dropequal");
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Parses a YAML list of relabel configs (Thanos' {@code --alert.relabel-config}); errors name the entry. */
    public static List<RelabelConfig> parseList(String yaml) {
        List<RelabelConfig> out = new ArrayList<>();
        if (yaml == null || yaml.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid relabel config: " + e.getMessage(), e);
        }
        if (root == null || root.isNull()) {
            return out;
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("relabel config must be a list of relabel rules");
        }
        for (int i = 0; i < root.size(); i++) {
            try {
                out.add(of(root.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("relabel rule " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    static RelabelConfig of(JsonNode node) {
        List<String> sources = new ArrayList<>();
        node.path("source_labels").forEach(n -> sources.add(n.asText()));
        String separator = node.has("separator") ? node.get("separator").asText() : ";";
        String regexText = node.has("regex") ? node.get("regex").asText() : "(.*)";
        Pattern regex;
        try {
            regex = Pattern.compile("^(?:" + regexText + ")$");
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex " + regexText + ": " + e.getDescription());
        }
        String action = node.has("action") ? node.get("action").asText().toLowerCase(Locale.ROOT) : "replace";
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("unknown relabel action " + action);
        }
        long modulus = node.path("modulus").asLong(0);
        String target = node.path("target_label").asText("");
        String replacement = node.has("replacement") ? node.get("replacement").asText() : "$1";
        if (action.equals("hashmod") && modulus == 0) {
            throw new IllegalArgumentException("relabel configuration for hashmod requires non-zero modulus");
        }
        if ((action.equals("replace") || action.equals("hashmod") || action.equals("lowercase") || action.equals("uppercase")
                || action.equals("keepequal") || action.equals("dropequal")) && target.isEmpty()) {
            throw new IllegalArgumentException("relabel configuration for " + action + " action requires 'target_label' value");
        }
        return new RelabelConfig(List.copyOf(sources), separator, regex, modulus, target, replacement, action);
    }

    /** Applies every rule in order; null when a rule dropped the label set. */
    public static Labels process(Labels labels, List<RelabelConfig> configs) {
        Labels current = labels;
        for (RelabelConfig config : configs) {
            current = config.apply(current);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    Labels apply(Labels labels) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < sourceLabels.size(); i++) {
            joined.append(i == 0 ? "" : separator).append(labels.has(sourceLabels.get(i)) ? labels.get(sourceLabels.get(i)) : "");
        }
        String value = joined.toString();
        Labels.Builder builder = labels.toBuilder();
        switch (action) {
            case "drop" -> {
                return regex.matcher(value).matches() ? null : labels;
            }
            case "keep" -> {
                return regex.matcher(value).matches() ? labels : null;
            }
            case "dropequal" -> {
                return value.equals(labels.has(targetLabel) ? labels.get(targetLabel) : "") ? null : labels;
            }
            case "keepequal" -> {
                return value.equals(labels.has(targetLabel) ? labels.get(targetLabel) : "") ? labels : null;
            }
            case "replace" -> {
                Matcher matcher = regex.matcher(value);
                if (!matcher.find()) {
                    return labels;
                }
                StringBuilder target = new StringBuilder();
                GoRegexp.expand(target, targetLabel, matcher, regex);
                if (!LABEL_NAME.matcher(target).matches()) {
                    return labels;
                }
                StringBuilder result = new StringBuilder();
                GoRegexp.expand(result, replacement, matcher, regex);
                if (result.isEmpty()) {
                    builder.delete(target.toString());
                } else {
                    builder.set(target.toString(), result.toString());
                }
            }
            case "lowercase" -> builder.set(targetLabel, value.toLowerCase(Locale.ROOT));
            case "uppercase" -> builder.set(targetLabel, value.toUpperCase(Locale.ROOT));
            case "hashmod" -> {
                try {
                    byte[] sum = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
                    long hash = new BigInteger(1, java.util.Arrays.copyOfRange(sum, 8, 16)).longValue();
                    builder.set(targetLabel, Long.toUnsignedString(Long.remainderUnsigned(hash, modulus)));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            case "labelmap" -> labels.forEach((name, v) -> {
                Matcher matcher = regex.matcher(name);
                if (matcher.matches()) {
                    StringBuilder target = new StringBuilder();
                    GoRegexp.expand(target, replacement, matcher, regex);
                    builder.set(target.toString(), v);
                }
            });
            case "labeldrop" -> labels.forEach((name, v) -> {
                if (regex.matcher(name).matches()) {
                    builder.delete(name);
                }
            });
            case "labelkeep" -> labels.forEach((name, v) -> {
                if (!regex.matcher(name).matches()) {
                    builder.delete(name);
                }
            });
            default -> throw new IllegalStateException("unknown relabel action " + action);
        }
        Labels result = builder.build();
        return result.isEmpty() ? null : result;
    }
}
