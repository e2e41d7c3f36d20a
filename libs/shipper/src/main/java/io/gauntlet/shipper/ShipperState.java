package io.gauntlet.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.events.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <tsdb>/thanos.shipper.json}: {@code {"version":1,"uploaded":[ULID…]}}, the blocks this shipper knows are in
 * the bucket. Thanos reads and writes the same file, so a Thanos sidecar and this shipper can take over from each other.
 */
public record ShipperState(int version, List<String> uploaded) {
    public static final String FILE = "thanos.shipper.json";
    public static final int VERSION = 1;
    public static final ShipperState EMPTY = new ShipperState(VERSION, List.of());

    private static final System.Logger LOG = System.getLogger(ShipperState.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    public ShipperState {
        uploaded = List.copyOf(uploaded);
    }

    /**
     * Reads the state of {@code tsdbDirectory}. A missing file is the empty state; an unreadable or foreign one is
     * logged and treated as empty too (as Thanos does): the file only saves bucket lookups, the bucket decides.
     */
    public static ShipperState read(Path tsdbDirectory) {
        Path file = tsdbDirectory.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read shipper state {0}, starting from an empty one: {1}", file, e.toString());
            return EMPTY;
        }
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "shipper state {0} is unusable, starting from an empty one: {1}", file, e.getMessage());
            return EMPTY;
        }
    }

    /** Parses the file's content; anything but version 1 with a list of strings is an {@link IllegalArgumentException}. */
    public static ShipperState parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode version = root.path("version");
        if (!version.isIntegralNumber() || version.intValue() != VERSION) {
            throw new IllegalArgumentException("unexpected version " + version + " (expected " + VERSION + ")");
        }
        List<String> uploaded = new ArrayList<>();
        JsonNode list = root.path("uploaded");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw new IllegalArgumentException("'uploaded' is not a list");
            }
            for (JsonNode ulid : list) {
                if (!ulid.isTextual()) {
                    throw new IllegalArgumentException("'uploaded' holds a non-string " + ulid);
                }
                uploaded.add(ulid.textValue());
            }
        }
        return new ShipperState(VERSION, uploaded);
    }

    /** The file content as Thanos writes it (tab-indented JSON, {@code null} for no blocks, trailing newline). */
    public byte[] toJson() {
        StringBuilder out = new StringBuilder("{\n\t\"version\": ").append(version).append(",\n\t\"uploaded\": ");
        if (uploaded.isEmpty()) {
            out.append("null");
        } else {
            out.append('[');
            for (int i = 0; i < uploaded.size(); i++) {
                out.append(i == 0 ? "\n\t\t" : ",\n\t\t").append(JSON.getNodeFactory().textNode(uploaded.get(i)));
            }
            out.append("\n\t]");
        }
        return out.append("\n}\n").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Writes the state atomically: temporary file, fsync, rename over the old one, fsync of the directory. */
    public void write(Path tsdbDirectory) throws IOException {
        AtomicFiles.write(tsdbDirectory.resolve(FILE), toJson());
    }
}
