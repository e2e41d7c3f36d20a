package io.gauntlet.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A value read from files, read again when the files change, looked at no more often than once per check interval
 * and only when asked for (a TLS handshake asks): no thread of its own. A change that cannot be read (a half-written
 * rotation, a key that does not match its certificate) keeps the previous value and is reported once.
 */
final class ReloadingFiles<T> {
    private static final System.Logger LOG = System.getLogger(ReloadingFiles.class.getName());

    /** One loaded value and how many reloads came before it. */
    record Version<T>(T value, long generation) {
    }

    private final String what;
    private final Path[] files;
    private final Supplier<T> loader;
    private final long checkIntervalNanos;
    private volatile Version<T> current;
    private volatile Version<T> previous;
    private volatile long nextCheck;
    private FileStamps loadedStamps;
    private FileStamps failedStamps;

    /** Loads at once: a first load that fails throws {@link TlsConfigException}. */
    ReloadingFiles(String what, Duration checkInterval, Supplier<T> loader, Path... files) {
        this.what = what;
        this.files = files.clone();
        this.loader = loader;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.loadedStamps = FileStamps.of(files);
        this.current = new Version<>(loader.get(), 0);
        this.previous = current;
        this.nextCheck = System.nanoTime() + checkIntervalNanos;
    }

    /** The value now, after looking at the files if the check interval has passed. */
    Version<T> get() {
        long now = System.nanoTime();
        if (now - nextCheck >= 0) {
            check(now);
        }
        return current;
    }

    /** The value of that generation if it is the current or the one before, else the current one. */
    Version<T> get(long generation) {
        Version<T> before = previous;
        return before.generation() == generation ? before : current;
    }

    private synchronized void check(long now) {
        if (now - nextCheck < 0) {
            return; // another handshake checked meanwhile
        }
        nextCheck = now + checkIntervalNanos;
        FileStamps stamps = FileStamps.of(files);
        if (stamps.equals(loadedStamps) || stamps.equals(failedStamps)) {
            return;
        }
        try {
            T loaded = loader.get();
            previous = current;
            current = new Version<>(loaded, current.generation() + 1);
            loadedStamps = stamps;
            failedStamps = null;
            LOG.log(System.Logger.Level.INFO, "reloaded {0}: {1}", what, loaded);
        } catch (TlsConfigException e) {
            failedStamps = stamps;
            LOG.log(System.Logger.Level.WARNING, "{0} changed but cannot be used, keeping the previous one: {1}", what, e.getMessage());
        }
    }
}
