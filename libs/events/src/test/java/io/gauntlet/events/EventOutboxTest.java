package io.gauntlet.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventOutboxTest {
    @TempDir
    Path directory;

    private static BlockEvent event(String ulid) {
        return BlockEvent.of(BlockEventType.UPLOADED, ulid, 0, 7_200_000, Labels.of("cluster", "a", "replica", "0"), 0, 1, List.of(ulid),
                new BlockStats(10, 2, 2), "gauntlet/shipper/test");
    }

    @Test
    void keepsEventsInOrderAcrossRestartsUntilRemoved() throws IOException {
        EventOutbox outbox = new EventOutbox(directory);
        BlockEvent first = event("01HZX0000000000000000000AA");
        BlockEvent second = event("01HZX0000000000000000000AB");
        outbox.add(first);
        outbox.add(second);

        EventOutbox reopened = new EventOutbox(directory); // as after a crash
        List<EventOutbox.Entry> pending = reopened.pending();
        assertThat(pending).extracting(EventOutbox.Entry::event).containsExactly(first, second);
        reopened.remove(pending.getFirst());
        BlockEvent third = event("01HZX0000000000000000000AC");
        reopened.add(third);
        assertThat(new EventOutbox(directory).pending()).extracting(EventOutbox.Entry::event).containsExactly(second, third);
    }

    @Test
    void unreadableFileIsMovedAsideAndDoesNotBlockTheRest() throws IOException {
        EventOutbox outbox = new EventOutbox(directory);
        outbox.add(event("01HZX0000000000000000000AA"));
        Files.writeString(directory.resolve("00000000000000000000.json"), "{\"headers\":{},\"data\":{}}");
        assertThat(outbox.pending()).hasSize(1);
        assertThat(directory.resolve("00000000000000000000.json.bad")).exists();
    }
}
