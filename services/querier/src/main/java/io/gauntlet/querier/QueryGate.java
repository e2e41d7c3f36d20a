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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs API work with the querier's protections: at most {@code max-concurrent} at once (others queue until their
 * timeout), and a deadline after which the work is cancelled and interrupted (a hanging store cannot hold a query).
 * The work runs on the request's own thread, a timer only fires at the deadline: no thread hand-off per query.
 */
@ApplicationScoped
public class QueryGate {
    /** Work that may look at the cancellation and throws typed errors. */
    public interface Work<T> {
        T run(QueryCancellation cancellation) throws StorageException;
    }

    private final Semaphore slots;
    private final ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("query-deadline").factory());

    @Inject
    public QueryGate(QuerierConfig config) {
        this.slots = new Semaphore(config.maxConcurrent(), true);
        alarms.setRemoveOnCancelPolicy(true); // a finished query's alarm leaves the queue at once
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
            Deadline alarm = new Deadline(Thread.currentThread());
            ScheduledFuture<?> scheduled = alarms.schedule(alarm, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            T result = null;
            Exception failure = null;
            boolean timedOut;
            try {
                result = work.run(alarm.cancellation);
            } catch (StorageException | RuntimeException e) {
                failure = e;
            } finally {
                timedOut = alarm.finish();
                scheduled.cancel(false);
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
        private final Thread worker;
        private boolean finished;
        private boolean fired;

        Deadline(Thread worker) {
            this.worker = worker;
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
        alarms.shutdownNow();
    }
}
