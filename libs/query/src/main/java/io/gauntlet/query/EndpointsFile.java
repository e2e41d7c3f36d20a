package io.gauntlet.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Endpoint specs from files in Thanos' {@code --store.sd-files} format, Prometheus' file service discovery: a YAML or
 * JSON list of groups, each with a {@code targets} list ({@code host:port}, {@code dns+host:port},
 * {@code dnssrv+name}; other keys such as {@code labels} are ignored). The files are read again when their directory
 * changes (which also catches the symlink swap of a Kubernetes ConfigMap update) and every {@code interval} anyway
 * (Thanos {@code --store.sd-interval}). A file that cannot be read or parsed keeps its last good targets, logs why once,
 * and {@link #lastError()} says it.
 */
public final class EndpointsFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EndpointsFile.class.getName());
    private static final YAMLMapper YAML = new YAMLMapper();
    /** How long the directory must stay quiet after a change before the file is read (a write is often truncate, then write). */
    private static final Duration SETTLE = Duration.ofMillis(200);

    private final List<Path> files;
    private final Duration interval;
    private final Runnable onChange;
    private final List<List<String>> lastGood;
    private volatile List<String> specs = List.of();
    private volatile String lastError = "";
    private WatchService watcher;
    private Thread thread;

    /**
     * @param onChange called (on the watch thread) after a read changed the specs, e.g. {@link EndpointSet#refreshSoon()}
     */
    public EndpointsFile(List<Path> files, Duration interval, Runnable onChange) {
        this.files = List.copyOf(files);
        this.interval = Objects.requireNonNull(interval, "interval");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("endpoints file interval must be positive, got " + interval);
        }
        this.lastGood = new ArrayList<>();
        for (int i = 0; i < this.files.size(); i++) {
            lastGood.add(List.of());
        }
    }

    /** Every file's targets, in file order, each once. */
    public List<String> specs() {
        return specs;
    }

    /** Why the last read of some file failed ("" when every file read fine). */
    public String lastError() {
        return lastError;
    }

    /** Reads the files now, then watches them on a daemon thread. */
    public synchronized void start() throws IOException {
        if (thread != null) {
            return;
        }
        read();
        watcher = FileSystems.getDefault().newWatchService();
        for (Path directory : files.stream().map(f -> f.toAbsolutePath().getParent()).distinct().toList()) {
            try {
                directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException e) {
                LOG.warning("cannot watch " + directory + " (" + e + "): its endpoints files are read every " + interval + " only");
            }
        }
        thread = Thread.ofPlatform().daemon().name("endpoints-file").start(this::watch);
    }

    private void watch() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = watcher.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    // an editor or `echo >` truncates before it writes: wait until the directory is quiet for a moment,
                    // so the half-written file is not read (an empty read would drop every endpoint)
                    key = watcher.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
                }
                if (read()) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (RuntimeException e) {
            LOG.warning("endpoints file watch stopped: " + e);
        }
    }

    /** Reads every file; true when the specs changed. */
    synchronized boolean read() {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            try {
                lastGood.set(i, parse(Files.readString(file)));
            } catch (IOException | IllegalArgumentException e) {
                errors.add("endpoints file " + file + ": " + (e instanceof IOException ? "cannot read: " + e : e.getMessage()));
            }
        }
        String error = String.join("; ", errors);
        if (!error.isEmpty() && !error.equals(lastError)) {
            LOG.warning(error + " (keeping its last good targets)");
        }
        lastError = error;
        LinkedHashSet<String> all = new LinkedHashSet<>();
        lastGood.forEach(all::addAll);
        List<String> updated = List.copyOf(all);
        if (updated.equals(specs)) {
            return false;
        }
        LOG.info("endpoints from " + files + ": " + updated);
        specs = updated;
        return true;
    }

    /**
     * The targets of one file's text.
     *
     * @throws IllegalArgumentException naming what is wrong (not a list of groups, a group without targets, a bad address)
     */
    static List<String> parse(String text) {
        JsonNode groups;
        try {
            groups = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        List<String> out = new ArrayList<>();
        if (groups == null || groups.isMissingNode() || groups.isNull()) {
            return out;
        }
        if (!groups.isArray()) {
            throw new IllegalArgumentException("expected a list of target groups ({targets: [host:port, ...]}), got " + groups.getNodeType());
        }
        for (JsonNode group : groups) {
            JsonNode targets = group.path("targets");
            if (!group.isObject() || !targets.isArray()) {
                throw new IllegalArgumentException("every target group needs a targets list, got " + group);
            }
            for (JsonNode target : targets) {
                if (!target.isTextual()) {
                    throw new IllegalArgumentException("a target must be a string, got " + target);
                }
                String spec = target.asText().trim();
                EndpointSet.validate(spec);
                out.add(spec);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.interrupt();
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                // closing is best effort
            }
        }
    }
}
