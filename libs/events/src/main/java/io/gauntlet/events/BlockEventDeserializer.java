package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;

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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link BlockEvent} from a CloudEvent in Kafka binary mode. Anything else (missing or wrong
 * {@code ce_*} headers, another spec version or type, a non-JSON content type, bad or incomplete JSON) is a
 * {@link MalformedEventException} that says what is wrong; {@link BlockEventConsumer} logs and skips those.
 */
public final class BlockEventDeserializer implements Deserializer<BlockEvent> {
    @Override
    public BlockEvent deserialize(String topic, Headers headers, byte[] data) {
        if (headers == null) {
            throw new MalformedEventException("record has no headers: block events are CloudEvents in binary mode");
        }
        String specVersion = required(headers, CloudEventHeaders.SPEC_VERSION);
        if (!specVersion.equals(CloudEventHeaders.SPEC_VERSION_1_0)) {
            throw new MalformedEventException("CloudEvents spec version '" + specVersion + "' is not supported (expected 1.0)");
        }
        String id = required(headers, CloudEventHeaders.ID);
        String source = required(headers, CloudEventHeaders.SOURCE);
        String typeName = required(headers, CloudEventHeaders.TYPE);
        BlockEventType type = BlockEventType.fromCloudEventType(typeName);
        if (type == null) {
            throw new MalformedEventException("event " + id + " has type '" + typeName + "', not a block event type");
        }
        String contentType = optional(headers, CloudEventHeaders.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(CloudEventHeaders.APPLICATION_JSON)) {
            throw new MalformedEventException("event " + id + " has content-type '" + contentType + "', expected application/json");
        }
        Instant time = time(id, optional(headers, CloudEventHeaders.TIME));
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

    @Override
    public BlockEvent deserialize(String topic, byte[] data) {
        throw new MalformedEventException("record has no headers: block events are CloudEvents in binary mode");
    }

    private static String required(Headers headers, String name) {
        String value = optional(headers, name);
        if (value == null || value.isEmpty()) {
            throw new MalformedEventException("record is not a CloudEvent: header " + name + " is missing");
        }
        return value;
    }

    private static String optional(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
    }

    private static Instant time(String id, String value) {
        if (value == null) {
            return Instant.EPOCH; // ce_time is optional in CloudEvents
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("event " + id + " has ce_time '" + value + "', not an RFC 3339 timestamp");
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
