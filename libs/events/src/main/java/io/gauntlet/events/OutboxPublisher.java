package io.gauntlet.events;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the outbox's events to Kafka in order on its own thread, removing each once the broker acknowledged it. While
 * Kafka is unreachable it retries with exponential backoff and the events stay on disk; block uploads never wait for it.
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OutboxPublisher.class.getName());

    private final EventOutbox outbox;
    private final BlockEventPublisher publisher;
    private final Duration sendTimeout;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final OutboxMetrics metrics;
    private final Object lock = new Object();
    private final Thread thread;
    private boolean woken = true; // guarded by lock; the first round drains what a previous run left
    private volatile boolean running = true;
    private volatile String lastError;

    /** @param sendTimeout how long to wait for one acknowledgement (longer than the producer's delivery.timeout.ms) */
    public OutboxPublisher(EventOutbox outbox, BlockEventPublisher publisher, Duration sendTimeout, Duration minBackoff, Duration maxBackoff,
                           OutboxMetrics metrics) {
        this.outbox = outbox;
        this.publisher = publisher;
        this.sendTimeout = sendTimeout;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("event-outbox-publisher").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** New events are in the outbox. */
    public void wake() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    /** Null while Kafka takes events, else why the last send failed. */
    public String lastError() {
        return lastError;
    }

    private void run() {
        long backoffMillis = minBackoff.toMillis();
        while (running) {
            synchronized (lock) {
                woken = false;
            }
            boolean failed = false;
            try {
                failed = !drain();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "event outbox failed: " + e);
                lastError = e.toString();
                failed = true;
            }
            if (failed) {
                await(backoffMillis, false);
                backoffMillis = Math.min(backoffMillis * 2, maxBackoff.toMillis());
            } else {
                backoffMillis = minBackoff.toMillis();
                await(Long.MAX_VALUE, true);
            }
        }
    }

    /** Sends every pending event in order; false when Kafka did not take one (the rest waits). */
    private boolean drain() {
        List<EventOutbox.Entry> pending = outbox.pending();
        metrics.outboxSize(pending.size());
        for (EventOutbox.Entry entry : pending) {
            if (!running) {
                return true;
            }
            try {
                publisher.publish(entry.event()).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                String reason = e instanceof ExecutionException ? KafkaErrorMessages.describe(e.getCause()) : "no acknowledgement within " + sendTimeout;
                if (!reason.equals(lastError)) {
                    LOG.log(System.Logger.Level.WARNING, "Kafka did not take the event of block {0}, keeping {1} events in the outbox: {2}",
                            entry.event().ulid(), outbox.size(), reason);
                }
                lastError = reason;
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
            try {
                outbox.remove(entry);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove the sent event {0} from the outbox (it will be sent again): {1}", entry.file(), e);
            }
            if (lastError != null) {
                LOG.log(System.Logger.Level.INFO, "Kafka takes events again");
                lastError = null;
            }
            metrics.eventPublished();
            metrics.outboxSize(outbox.size());
        }
        return true;
    }

    private void await(long millis, boolean wakeable) {
        long deadline = millis == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() / 1_000_000 + millis;
        synchronized (lock) {
            while (running && !(wakeable && woken)) {
                long remaining = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime() / 1_000_000;
                if (deadline != Long.MAX_VALUE && remaining <= 0) {
                    return;
                }
                try {
                    lock.wait(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the thread (pending events stay in the outbox) and closes the producer. */
    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
    }
}
