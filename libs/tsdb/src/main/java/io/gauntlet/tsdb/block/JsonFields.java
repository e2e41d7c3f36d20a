package io.gauntlet.tsdb.block;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.tsdb.CorruptedDataException;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of JSON fields that fail with a {@link CorruptedDataException} naming block, file and field. */
final class JsonFields {
    private final String block;
    private final String file;

    JsonFields(String block, String file) {
        this.block = block;
        this.file = file;
    }

    String block() {
        return block;
    }

    CorruptedDataException error(String problem) {
        return new CorruptedDataException(block, file, -1, problem);
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    long requiredLong(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            throw error("missing field \"" + field + "\"");
        }
        return longValue(node, field);
    }

    long optionalLong(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        return absent(node) ? 0 : longValue(node, field);
    }

    private long longValue(JsonNode node, String field) throws CorruptedDataException {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw error("field \"" + field + "\" is not a 64-bit integer: " + node);
        }
        return node.longValue();
    }

    boolean optionalBoolean(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            return false;
        }
        if (!node.isBoolean()) {
            throw error("field \"" + field + "\" is not a boolean: " + node);
        }
        return node.booleanValue();
    }

    String optionalString(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            return "";
        }
        if (!node.isTextual()) {
            throw error("field \"" + field + "\" is not a string: " + node);
        }
        return node.textValue();
    }

    Ulid requiredUlid(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            throw error("missing field \"" + field + "\"");
        }
        return ulid(node, field);
    }

    Ulid ulid(JsonNode node, String field) throws CorruptedDataException {
        if (!node.isTextual() || !Ulid.isUlid(node.textValue())) {
            throw error("field \"" + field + "\" is not a ULID: " + node);
        }
        return Ulid.parse(node.textValue());
    }

    /** An object field, or null when absent. */
    JsonNode optionalObject(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            return null;
        }
        if (!node.isObject()) {
            throw error("field \"" + field + "\" is not an object: " + node);
        }
        return node;
    }

    /** The elements of an array field; empty when absent. */
    List<JsonNode> optionalArray(JsonNode object, String field) throws CorruptedDataException {
        JsonNode node = object.get(field);
        if (absent(node)) {
            return List.of();
        }
        if (!node.isArray()) {
            throw error("field \"" + field + "\" is not an array: " + node);
        }
        List<JsonNode> elements = new ArrayList<>(node.size());
        node.forEach(elements::add);
        return elements;
    }

    List<String> optionalStrings(JsonNode object, String field) throws CorruptedDataException {
        List<String> strings = new ArrayList<>();
        for (JsonNode element : optionalArray(object, field)) {
            if (!element.isTextual()) {
                throw error("field \"" + field + "\" holds a non-string: " + element);
            }
            strings.add(element.textValue());
        }
        return strings;
    }
}
