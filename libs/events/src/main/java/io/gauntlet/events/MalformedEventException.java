package io.gauntlet.events;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A Kafka record that is not a valid block event (missing CloudEvents headers, wrong spec version, unknown type,
 * bad JSON). A Kafka {@link SerializationException}, so the consumer reports where it is; consumers log and skip it.
 */
public final class MalformedEventException extends SerializationException {
    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
