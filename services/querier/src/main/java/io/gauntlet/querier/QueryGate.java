package io.gauntlet.querier;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.engine.QueryCancellation;
import io.gauntlet.query.ApiException;
import io.gauntlet.tsdb.storage.StorageException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs API work with the querier's protections: at most {@code max-concurrent} at once (others queue until their
 * timeout), and a deadline after which the work is cancelled and interrupted (a hanging store cannot hold a query).
 * The work runs on the request's own thread, a watcher thread only fires at the deadline: no thread hand-off per
 * query, and the watcher is woken only for a deadline sooner than its next check (a timer scheduled per query woke it
 * for every query).
 */
@ApplicationScoped
public class QueryGate {
    /** Work that may look at the cancellation and throws typed errors. */
    public interface Work<T> {
        T run(QueryCancellation cancellation) throws StorageException;
    }

    /** How long the watcher sleeps without a deadline due sooner: it drops nothing, it only looks again. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Semaphore slots;
    private final Set<Deadline> pending = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    private volatile long wakeAt; // System.nanoTime() the watcher sleeps until
    private volatile boolean scanning; // the watcher is looking at pending: a new deadline must wake it again
    private volatile boolean stopped;

    @Inject
    public QueryGate(QuerierConfig config) {
        this.slots = new Semaphore(config.maxConcurrent(), true);
        this.wakeAt = System.nanoTime();
        this.watcher = Thread.ofPlatform().daemon().name("query-deadline").start(this::watch);
    }

    private void watch() {
        while (!stopped) {
            scanning = true;
            long now = System.nanoTime();
            long next = now + IDLE_CHECK_NANOS;
            for (Deadline deadline : pending) {
                if (deadline.at - now <= 0) {
                    pending.remove(deadline);
                    deadline.run();
                } else if (deadline.at - next < 0) {
                    next = deadline.at;
                }
            }
            wakeAt = next;
            scanning = false;
            LockSupport.parkNanos(this, next - now);
        }
    }

    private void register(Deadline deadline) {
        pending.add(deadline);
        if (scanning || deadline.at - wakeAt < 0) {
            LockSupport.unpark(watcher);
        }
    }

    public <T> T run(Duration timeout, Work<T> work) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!slots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ApiException(ErrorType.TIMEOUT, "query timed out in query queue");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorType.CANCELED, "query was canceled in query queue");
        }
        try {
            Deadline alarm = new Deadline(Thread.currentThread(), deadline);
            register(alarm);
            T result = null;
            Exception failure = null;
            boolean timedOut;
            try {
                result = work.run(alarm.cancellation);
            } catch (StorageException | RuntimeException e) {
                failure = e;
            } finally {
                timedOut = alarm.finish();
                pending.remove(alarm);
            }
            if (timedOut) {
                throw new ApiException(ErrorType.TIMEOUT, "query timed out in expression evaluation");
            }
            if (failure != null) {
                throw translate(failure);
            }
            return result;
        } finally {
            slots.release();
        }
    }

    /** Fires at most once, and never after the work finished: the request thread is only interrupted while it runs the query. */
    private static final class Deadline implements Runnable {
        final QueryCancellation cancellation = new QueryCancellation();
        final long at; // System.nanoTime() of the deadline
        private final Thread worker;
        private boolean finished;
        private boolean fired;

        Deadline(Thread worker, long at) {
            this.worker = worker;
            this.at = at;
        }

        @Override
        public synchronized void run() {
            if (!finished) {
                fired = true;
                cancellation.cancel();
                worker.interrupt();
            }
        }

        /** Marks the work over; true when the deadline fired first (its interrupt is then cleared from the thread). */
        synchronized boolean finish() {
            finished = true;
            if (fired) {
                Thread.interrupted();
            }
            return fired;
        }
    }

    static ApiException translate(Throwable error) {
        return switch (error) {
            case ApiException api -> api;
            case PromqlException promql -> new ApiException(promql.type(), promql.getMessage(), promql);
            case StorageException storage -> new ApiException(ErrorType.EXECUTION, storage.getMessage(), storage);
            case IllegalArgumentException bad -> new ApiException(ErrorType.BAD_DATA, bad.getMessage(), bad);
            default -> new ApiException(ErrorType.INTERNAL, String.valueOf(error), error);
        };
    }

    @PreDestroy
    void stop() {
        stopped = true;
        LockSupport.unpark(watcher);
    }
}
