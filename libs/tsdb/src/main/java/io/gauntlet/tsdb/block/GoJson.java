package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * JSON as Go's encoding/json writes it (tab indentation as {@code MarshalIndent(v, "", "\t")} or compact, HTML-safe
 * escapes of {@code < > &}), so files we write look like the ones
 * Prometheus and Thanos write; and tolerant parsing into trees with typed errors naming block and file.
 */
final class GoJson {
    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);

    private GoJson() {
    }

    static ObjectNode parseObject(byte[] json, String block, String file) throws CorruptedDataException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CorruptedDataException(block, file, e.getLocation() == null ? -1 : e.getLocation().getByteOffset(),
                    "invalid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new CorruptedDataException(block, file, -1, "unreadable JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new CorruptedDataException(block, file, -1, "expected a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The fields of an object other than the known ones, in their original order, deep-copied. */
    static Map<String, JsonNode> unknownFields(JsonNode object, Set<String> known) {
        Map<String, JsonNode> unknown = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!known.contains(field.getKey())) {
                unknown.put(field.getKey(), field.getValue().deepCopy());
            }
        }
        return unknown;
    }

    static Map<String, JsonNode> copyOf(Map<String, JsonNode> fields) {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        fields.forEach((name, value) -> copy.put(name, value.deepCopy()));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** A copy of {@code node} whose objects list their keys in byte order, as Go writes a decoded JSON object (a map). */
    static JsonNode withSortedKeys(JsonNode node) {
        if (node.isObject()) {
            java.util.TreeMap<String, JsonNode> sorted = new java.util.TreeMap<>(io.gauntlet.tsdb.Labels::compareStrings);
            node.properties().forEach(field -> sorted.put(field.getKey(), withSortedKeys(field.getValue())));
            ObjectNode copy = NODES.objectNode();
            sorted.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode copy = NODES.arrayNode();
            node.forEach(element -> copy.add(withSortedKeys(element)));
            return copy;
        }
        return node.deepCopy();
    }

    /** A time as Go's {@code time.RFC3339Nano} writes it: fraction without trailing zeros, "Z" for UTC. */
    static String rfc3339Nano(java.time.OffsetDateTime time) {
        StringBuilder out = new StringBuilder(35);
        out.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", time.getYear(), time.getMonthValue(), time.getDayOfMonth(),
                time.getHour(), time.getMinute(), time.getSecond()));
        int nanos = time.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        int offsetSeconds = time.getOffset().getTotalSeconds();
        if (offsetSeconds == 0) {
            out.append('Z');
        } else {
            int minutes = Math.abs(offsetSeconds) / 60;
            out.append(offsetSeconds < 0 ? '-' : '+').append(String.format("%02d:%02d", minutes / 60, minutes % 60));
        }
        return out.toString();
    }

    static byte[] indented(JsonNode node, boolean trailingNewline) {
        StringBuilder out = new StringBuilder();
        write(out, node, "\t", 0);
        if (trailingNewline) {
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] compact(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(out, node, null, 0);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder out, JsonNode node, String indent, int depth) {
        if (node.isObject()) {
            if (node.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(out, indent, depth + 1);
                string(out, field.getKey());
                out.append(indent == null ? ":" : ": ");
                write(out, field.getValue(), indent, depth + 1);
            }
            newline(out, indent, depth);
            out.append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                newline(out, indent, depth + 1);
                write(out, node.get(i), indent, depth + 1);
            }
            newline(out, indent, depth);
            out.append(']');
        } else if (node.isTextual()) {
            string(out, node.textValue());
        } else if (node.isBigDecimal()) {
            out.append(node.decimalValue().toString());
        } else {
            out.append(node.toString()); // numbers, booleans, null
        }
    }

    private static void newline(StringBuilder out, String indent, int depth) {
        if (indent != null) {
            out.append('\n');
            out.append(indent.repeat(depth));
        }
    }

    private static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
