package io.gauntlet.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Reads a block event delivered over HTTP by the CloudEvents 1.0 HTTP protocol binding, as Knative Eventing (a
 * KafkaSource, a Trigger) sends it: structured content mode when the {@code Content-Type} is
 * {@code application/cloudevents+json} (attributes and data in one JSON envelope), binary content mode otherwise
 * (attributes in {@code ce-*} headers, the body is the data). Batched mode is refused.
 */
public final class BlockEventHttp {
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
    public static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";

    private BlockEventHttp() {
    }

    /**
     * @param header a request header by name, case-insensitive (null when absent)
     * @param body   the request body
     * @throws MalformedEventException when the request is not a block event, saying why
     */
    public static BlockEvent read(UnaryOperator<String> header, byte[] body) {
        String contentType = header.apply("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals(BATCH_CONTENT_TYPE)) {
            throw new MalformedEventException("batched CloudEvents are not accepted: send one event per request");
        }
        if (mediaType.equals(STRUCTURED_CONTENT_TYPE)) {
            return structured(body);
        }
        return BlockEventReader.read(new BlockEventReader.Attributes() {
            @Override
            public String get(String attribute) {
                return header.apply(where(attribute));
            }

            @Override
            public String where(String attribute) {
                return attribute.equals(BlockEventReader.DATA_CONTENT_TYPE) ? "Content-Type" : "ce-" + attribute;
            }
        }, body);
    }

    private static BlockEvent structured(byte[] body) {
        JsonNode envelope;
        try {
            envelope = body == null || body.length == 0 ? null : BlockEventSerializer.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedEventException("structured CloudEvent is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("structured CloudEvent cannot be read: " + e.getMessage(), e);
        }
        if (envelope == null || !envelope.isObject()) {
            throw new MalformedEventException("structured CloudEvent must be a JSON object");
        }
        return BlockEventReader.read(new BlockEventReader.Attributes() {
            @Override
            public String get(String attribute) {
                JsonNode value = envelope.get(attribute);
                if (value == null || value.isNull()) {
                    return null;
                }
                if (!value.isTextual()) {
                    throw new MalformedEventException("structured CloudEvent member '" + attribute + "' must be a string");
                }
                return value.textValue();
            }

            @Override
            public String where(String attribute) {
                return "member '" + attribute + "'";
            }
        }, data(envelope));
    }

    /** The data as bytes: {@code data_base64} decoded, or the JSON value of {@code data} written out. */
    private static byte[] data(JsonNode envelope) {
        JsonNode base64 = envelope.get("data_base64");
        if (base64 != null && !base64.isNull()) {
            if (!base64.isTextual()) {
                throw new MalformedEventException("structured CloudEvent member 'data_base64' must be a string");
            }
            try {
                return Base64.getDecoder().decode(base64.textValue());
            } catch (IllegalArgumentException e) {
                throw new MalformedEventException("structured CloudEvent member 'data_base64' is not Base64: " + e.getMessage());
            }
        }
        JsonNode data = envelope.get("data");
        if (data == null || data.isNull()) {
            return null;
        }
        try {
            return BlockEventSerializer.JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("structured CloudEvent data cannot be written: " + e.getOriginalMessage());
        }
    }
}
