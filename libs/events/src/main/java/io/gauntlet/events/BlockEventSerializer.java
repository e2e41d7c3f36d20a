package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a {@link BlockEvent} as a CloudEvent in Kafka binary mode: the attributes go into {@code ce_*} headers
 * (plus {@code content-type: application/json}), the data is the JSON body. Use with a String key serializer and
 * {@link #record(String, BlockEvent)}, whose key is the compaction group key.
 */
public final class BlockEventSerializer implements Serializer<BlockEvent> {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The record to send: key = compaction group key, value = the event. */
    public static ProducerRecord<String, BlockEvent> record(String topic, BlockEvent event) {
        return new ProducerRecord<>(topic, event.groupKey(), event);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, BlockEvent event) {
        if (event == null) {
            return null;
        }
        headers.remove(CloudEventHeaders.SPEC_VERSION);
        headers.add(CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_1_0.getBytes(UTF_8));
        headers.remove(CloudEventHeaders.ID);
        headers.add(CloudEventHeaders.ID, event.id().getBytes(UTF_8));
        headers.remove(CloudEventHeaders.SOURCE);
        headers.add(CloudEventHeaders.SOURCE, event.producer().getBytes(UTF_8));
        headers.remove(CloudEventHeaders.TYPE);
        headers.add(CloudEventHeaders.TYPE, event.type().cloudEventType().getBytes(UTF_8));
        headers.remove(CloudEventHeaders.TIME);
        headers.add(CloudEventHeaders.TIME, DateTimeFormatter.ISO_INSTANT.format(event.time()).getBytes(UTF_8));
        headers.remove(CloudEventHeaders.SUBJECT);
        headers.add(CloudEventHeaders.SUBJECT, event.ulid().getBytes(UTF_8));
        headers.remove(CloudEventHeaders.CONTENT_TYPE);
        headers.add(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.APPLICATION_JSON.getBytes(UTF_8));
        return data(event);
    }

    /** Binary mode carries the attributes in headers; without headers there is no CloudEvent to write. */
    @Override
    public byte[] serialize(String topic, BlockEvent event) {
        throw new SerializationException("block events are CloudEvents in binary mode and need record headers; "
                + "use a Kafka client that passes headers to serializers");
    }

    /** The JSON data of the event. */
    public static byte[] data(BlockEvent event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ulid", event.ulid());
        root.put("minTime", event.minTime());
        root.put("maxTime", event.maxTime());
        ObjectNode labels = root.putObject("externalLabels");
        event.externalLabels().forEach(labels::put);
        root.put("resolution", event.resolution());
        root.put("compactionLevel", event.compactionLevel());
        ArrayNode sources = root.putArray("sources");
        event.sources().forEach(sources::add);
        ObjectNode stats = root.putObject("stats");
        stats.put("numSamples", event.stats().numSamples());
        stats.put("numSeries", event.stats().numSeries());
        stats.put("numChunks", event.stats().numChunks());
        root.put("producer", event.producer());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write block event " + event.id() + " as JSON", e);
        }
    }
}
