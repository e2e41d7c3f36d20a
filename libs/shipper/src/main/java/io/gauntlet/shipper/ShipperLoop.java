package io.gauntlet.shipper;

import io.gauntlet.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link BlockShipper#sync()} on its own thread: at once when a directory appears in the TSDB directory (a
 * {@link WatchService} cuts the latency), every {@code rescanInterval} anyway (the safety net for missed or coalesced
 * watch events), and after a failure only after an exponential backoff, so a broken bucket is not hammered.
 */
public final class ShipperLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShipperLoop.class.getName());

    private final BlockShipper shipper;
    private final Duration rescanInterval;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Object lock = new Object();
    private final Thread syncThread;
    private final Thread watchThread;
    private final WatchService watcher;
    private boolean triggered = true; // guarded by lock; the first pass runs at once
    private volatile boolean running = true;
    private volatile String lastError = "no shipper pass finished yet";
    private volatile long passes;

    public ShipperLoop(BlockShipper shipper, Duration rescanInterval, Duration minBackoff, Duration maxBackoff) {
        this.shipper = shipper;
        this.rescanInterval = rescanInterval;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
            shipper.tsdbDirectory().register(service, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch {0}, relying on the rescan every {1}: {2}", shipper.tsdbDirectory(), rescanInterval, e);
            service = null;
        }
        this.watcher = service;
        this.syncThread = Thread.ofPlatform().name("shipper-sync").daemon().unstarted(this::runSyncs);
        this.watchThread = Thread.ofPlatform().name("shipper-watch").daemon().unstarted(this::runWatch);
    }

    public void start() {
        syncThread.start();
        if (watcher != null) {
            watchThread.start();
        }
    }

    /** Asks for a pass now (ignored while backing off after a failure; that pass follows the backoff). */
    public void trigger() {
        synchronized (lock) {
            triggered = true;
            lock.notifyAll();
        }
    }

    /** Null when the last pass succeeded, else its error. */
    public String lastError() {
        return lastError;
    }

    /** Number of finished passes (successful or not). */
    public long passes() {
        return passes;
    }

    private void runSyncs() {
        long backoffMillis = minBackoff.toMillis();
        while (running) {
            synchronized (lock) {
                triggered = false;
            }
            boolean failed;
            try {
                shipper.sync();
                lastError = null;
                failed = false;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "shipper pass failed, retrying in {0} ms: {1}", backoffMillis, e.getMessage());
                lastError = e.getMessage();
                failed = true;
            }
            passes++;
            if (failed) {
                await(backoffMillis, false);
                backoffMillis = Math.min(backoffMillis * 2, maxBackoff.toMillis());
            } else {
                backoffMillis = minBackoff.toMillis();
                await(rescanInterval.toMillis(), true);
            }
        }
    }

    private void await(long millis, boolean wakeable) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (running && !(wakeable && triggered)) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining <= 0) {
                    return;
                }
                try {
                    lock.wait(remaining);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void runWatch() {
        while (running) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                // Prometheus renames a finished block to its ULID (ENTRY_CREATE); an overflow may hide one
                relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
                        || event.context() instanceof Path name && Ulid.isUlid(name.toString());
            }
            key.reset();
            if (relevant) {
                trigger();
            }
        }
    }

    /** Stops both threads after the running pass. */
    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        try {
            syncThread.join(TimeUnit.SECONDS.toMillis(30));
            watchThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
