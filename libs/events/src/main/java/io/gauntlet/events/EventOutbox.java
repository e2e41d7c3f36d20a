package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Block events not yet acknowledged by Kafka, one fsynced JSON file per event in a directory, named by a sequence
 * number so they are sent in the order they were added. An event is added before the fact is recorded as done and
 * removed only after the broker acknowledged it: a crash or a broker outage loses none (a crash may send one twice;
 * delivery is at-least-once and consumers are idempotent by ULID). Each file holds the CloudEvent exactly as it goes
 * on the wire (the {@code ce_*} headers and the JSON data), so a resend keeps the event's id.
 */
public final class EventOutbox {
    private static final System.Logger LOG = System.getLogger(EventOutbox.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("\\d{20}\\.json");
    private static final String OUTBOX_TOPIC = "outbox"; // serializers want a topic name; headers and data do not depend on it

    /** One stored event and the file that holds it. */
    public record Entry(Path file, BlockEvent event) {
    }

    private final Path directory;
    private long nextSequence;

    public EventOutbox(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        long last = 0;
        for (Path file : files()) {
            last = Math.max(last, Long.parseLong(file.getFileName().toString().substring(0, 20)));
        }
        this.nextSequence = last + 1;
    }

    public Path directory() {
        return directory;
    }

    /** Stores {@code event} durably (temporary file, fsync, rename, fsync of the directory). */
    public synchronized void add(BlockEvent event) throws IOException {
        RecordHeaders headers = new RecordHeaders();
        byte[] data = new BlockEventSerializer().serialize(OUTBOX_TOPIC, headers, event);
        ObjectNode root = JSON.createObjectNode();
        ObjectNode headerNode = root.putObject("headers");
        for (Header header : headers) {
            headerNode.put(header.key(), new String(header.value(), UTF_8));
        }
        root.set("data", JSON.readTree(data));
        Path file = directory.resolve(String.format("%020d.json", nextSequence++));
        AtomicFiles.write(file, JSON.writeValueAsBytes(root));
    }

    /**
     * The pending events, oldest first. A file that cannot be read as an event is moved aside (renamed to
     * {@code .bad}) and logged, so it never blocks the ones after it.
     */
    public synchronized List<Entry> pending() {
        List<Entry> entries = new ArrayList<>();
        for (Path file : files()) {
            try {
                entries.add(new Entry(file, read(file)));
            } catch (NoSuchFileException e) {
                // removed meanwhile
            } catch (IOException | MalformedEventException e) {
                LOG.log(System.Logger.Level.ERROR, "outbox file {0} is not a block event, moving it aside: {1}", file, e.getMessage());
                try {
                    Files.move(file, file.resolveSibling(file.getFileName() + ".bad"));
                } catch (IOException moveFailure) {
                    throw new UncheckedIOException("cannot move the unreadable outbox file " + file + " aside", moveFailure);
                }
            }
        }
        return entries;
    }

    /** Number of pending events. */
    public synchronized int size() {
        return files().size();
    }

    /** Forgets an event Kafka acknowledged. */
    public synchronized void remove(Entry entry) throws IOException {
        Files.deleteIfExists(entry.file());
    }

    private static BlockEvent read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        if (root == null || !root.path("headers").isObject() || !root.path("data").isObject()) {
            throw new MalformedEventException("no 'headers' and 'data' objects");
        }
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, JsonNode> header : root.path("headers").properties()) {
            headers.add(header.getKey(), header.getValue().asText().getBytes(UTF_8));
        }
        return new BlockEventDeserializer().deserialize(OUTBOX_TOPIC, headers, JSON.writeValueAsBytes(root.path("data")));
    }

    private List<Path> files() {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> NAME.matcher(path.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the event outbox " + directory, e);
        }
    }
}
