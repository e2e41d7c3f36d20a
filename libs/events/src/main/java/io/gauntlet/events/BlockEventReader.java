package io.gauntlet.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@link BlockEvent} from CloudEvents 1.0 attributes and JSON data, whichever binding carried them (Kafka
 * headers, HTTP headers, a structured JSON envelope). Anything that is not a block event (a missing or wrong
 * attribute, another spec version or type, a non-JSON content type, bad or incomplete JSON) is a
 * {@link MalformedEventException} naming what is wrong as the binding spells it.
 */
public final class BlockEventReader {
    public static final String SPEC_VERSION = "specversion";
    public static final String ID = "id";
    public static final String SOURCE = "source";
    public static final String TYPE = "type";
    public static final String TIME = "time";
    public static final String SUBJECT = "subject";
    public static final String DATA_CONTENT_TYPE = "datacontenttype";

    /** The CloudEvents attributes of one event as its binding carries them. */
    public interface Attributes {
        /** The attribute's value (null when absent), by its CloudEvents name. */
        String get(String attribute);

        /** How the binding names the attribute, for error messages (a header name, a JSON member). */
        String where(String attribute);
    }

    private BlockEventReader() {
    }

    public static BlockEvent read(Attributes attributes, byte[] data) {
        String specVersion = required(attributes, SPEC_VERSION);
        if (!specVersion.equals(CloudEventHeaders.SPEC_VERSION_1_0)) {
            throw new MalformedEventException("CloudEvents spec version '" + specVersion + "' is not supported (expected 1.0)");
        }
        String id = required(attributes, ID);
        String source = required(attributes, SOURCE);
        String typeName = required(attributes, TYPE);
        BlockEventType type = BlockEventType.fromCloudEventType(typeName);
        if (type == null) {
            throw new MalformedEventException("event " + id + " has type '" + typeName + "', not a block event type");
        }
        String contentType = attributes.get(DATA_CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(CloudEventHeaders.APPLICATION_JSON)) {
            throw new MalformedEventException("event " + id + " has " + attributes.where(DATA_CONTENT_TYPE) + " '" + contentType
                    + "', expected application/json");
        }
        Instant time = time(id, attributes);
        if (data == null || data.length == 0) {
            throw new MalformedEventException("event " + id + " has no data");
        }
        JsonNode root;
        try {
            root = BlockEventSerializer.JSON.readTree(data);
        } catch (JacksonException e) {
            throw new MalformedEventException("event " + id + " data is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("event " + id + " data cannot be read: " + e.getMessage(), e);
        }
        return read(type, id, source, time, root);
    }

    private static BlockEvent read(BlockEventType type, String id, String source, Instant time, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("event " + id + " data must be a JSON object");
        }
        try {
            JsonNode stats = object(root, "stats", id);
            String producer = root.hasNonNull("producer") ? text(root, "producer", id) : source;
            return new BlockEvent(type, id, text(root, "ulid", id), number(root, "minTime", id), number(root, "maxTime", id),
                    labels(root, id), number(root, "resolution", id), Math.toIntExact(number(root, "compactionLevel", id)),
                    sources(root, id),
                    new BlockStats(number(stats, "numSamples", id), number(stats, "numSeries", id), number(stats, "numChunks", id)),
                    producer, time);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new MalformedEventException("event " + id + " is not a valid block event: " + e.getMessage(), e);
        }
    }

    private static String required(Attributes attributes, String name) {
        String value = attributes.get(name);
        if (value == null || value.isEmpty()) {
            throw new MalformedEventException("not a CloudEvent: " + attributes.where(name) + " is missing");
        }
        return value;
    }

    private static Instant time(String id, Attributes attributes) {
        String value = attributes.get(TIME);
        if (value == null) {
            return Instant.EPOCH; // time is optional in CloudEvents
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("event " + id + " has " + attributes.where(TIME) + " '" + value + "', not an RFC 3339 timestamp");
        }
    }

    private static JsonNode field(JsonNode node, String name, String id) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new MalformedEventException("event " + id + " data has no '" + name + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String name, String id) {
        JsonNode value = field(node, name, id);
        if (!value.isTextual()) {
            throw new MalformedEventException("event " + id + " data '" + name + "' must be a string");
        }
        return value.textValue();
    }

    private static long number(JsonNode node, String name, String id) {
        JsonNode value = field(node, name, id);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new MalformedEventException("event " + id + " data '" + name + "' must be a whole number");
        }
        return value.longValue();
    }

    private static JsonNode object(JsonNode node, String name, String id) {
        JsonNode value = field(node, name, id);
        if (!value.isObject()) {
            throw new MalformedEventException("event " + id + " data '" + name + "' must be an object");
        }
        return value;
    }

    private static Labels labels(JsonNode root, String id) {
        Labels.Builder builder = Labels.builder();
        for (Map.Entry<String, JsonNode> label : object(root, "externalLabels", id).properties()) {
            if (!label.getValue().isTextual()) {
                throw new MalformedEventException("event " + id + " external label '" + label.getKey() + "' must be a string");
            }
            builder.set(label.getKey(), label.getValue().textValue());
        }
        return builder.build();
    }

    private static List<String> sources(JsonNode root, String id) {
        JsonNode array = field(root, "sources", id);
        if (!array.isArray()) {
            throw new MalformedEventException("event " + id + " data 'sources' must be an array of ULIDs");
        }
        List<String> sources = new ArrayList<>(array.size());
        for (JsonNode source : array) {
            if (!source.isTextual()) {
                throw new MalformedEventException("event " + id + " data 'sources' must be an array of ULIDs");
            }
            sources.add(source.textValue());
        }
        return sources;
    }
}
