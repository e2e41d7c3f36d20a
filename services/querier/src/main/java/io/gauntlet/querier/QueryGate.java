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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs API work with the querier's protections: at most {@code max-concurrent} at once (others queue until their
 * timeout), and a deadline after which the work is cancelled and interrupted (a hanging store cannot hold a query).
 */
@ApplicationScoped
public class QueryGate {
    /** Work that may look at the cancellation and throws typed errors. */
    public interface Work<T> {
        T run(QueryCancellation cancellation) throws StorageException;
    }

    private final Semaphore slots;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().name("query-", 0).factory());

    @Inject
    public QueryGate(QuerierConfig config) {
        this.slots = new Semaphore(config.maxConcurrent(), true);
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
        QueryCancellation cancellation = new QueryCancellation();
        try {
            Future<T> future = workers.submit(() -> work.run(cancellation));
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                cancellation.cancel();
                future.cancel(true);
                throw new ApiException(ErrorType.TIMEOUT, "query timed out in expression evaluation");
            } catch (InterruptedException e) {
                cancellation.cancel();
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new ApiException(ErrorType.CANCELED, "query was canceled in expression evaluation");
            } catch (ExecutionException e) {
                throw translate(e.getCause());
            }
        } finally {
            slots.release();
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
        workers.shutdownNow();
    }
}
