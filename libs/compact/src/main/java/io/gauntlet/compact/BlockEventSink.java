package io.gauntlet.compact;

import io.gauntlet.events.BlockEvent;
import java.io.IOException;

/** Where the compactor's block events go once the fact is durable (the service passes a durable outbox). */
@FunctionalInterface
public interface BlockEventSink {
    BlockEventSink NONE = event -> { };

    void publish(BlockEvent event) throws IOException;
}
