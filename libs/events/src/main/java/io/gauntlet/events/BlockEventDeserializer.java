package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link BlockEvent} from a CloudEvent in Kafka binary mode ({@code ce_*} headers, see {@link BlockEventReader});
 * a record that is not one is a {@link MalformedEventException} that says what is wrong, which
 * {@link BlockEventConsumer} logs and skips.
 */
public final class BlockEventDeserializer implements Deserializer<BlockEvent> {
    @Override
    public BlockEvent deserialize(String topic, Headers headers, byte[] data) {
        if (headers == null) {
            throw new MalformedEventException("record has no headers: block events are CloudEvents in binary mode");
        }
        return BlockEventReader.read(new BlockEventReader.Attributes() {
            @Override
            public String get(String attribute) {
                Header header = headers.lastHeader(where(attribute));
                return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
            }

            @Override
            public String where(String attribute) {
                return attribute.equals(BlockEventReader.DATA_CONTENT_TYPE) ? CloudEventHeaders.CONTENT_TYPE : "ce_" + attribute;
            }
        }, data);
    }

    @Override
    public BlockEvent deserialize(String topic, byte[] data) {
        throw new MalformedEventException("record has no headers: block events are CloudEvents in binary mode");
    }
}
